// A simple SVG chart of a correlation instance's latest da00 histogram (one line per source).
import { useEffect, useState } from "react";
import { api, Workflow, wfPath } from "./api";

interface Series {
  source: string;
  version: number;
  dim: string;
  unit: string;
  x: number[];
  y: number[];
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a"];

/** An axis end label: plain for ordinary magnitudes, 3 significant digits otherwise. */
function tick(v: number): string {
  return Math.abs(v) >= 1e-3 && Math.abs(v) < 1e5 ? String(Number(v.toPrecision(4))) : v.toPrecision(3);
}

export function Chart({ workflow }: { workflow: Workflow }) {
  const [series, setSeries] = useState<Series[]>([]);
  const beat = workflow.last_heartbeat_at;
  useEffect(() => {
    api<{ series: Series[] }>(`${wfPath(workflow.id)}/data`).then((d) => setSeries(d.series));
  }, [workflow.id, beat]);
  const W = 640, H = 220, P = 36;
  const all = series.flatMap((s) => s.x.map((x, i) => [x, s.y[i]]));
  if (!all.length) return <section className="chart" data-testid="chart"><h2>{workflow.title}</h2><p className="muted">no data yet</p></section>;
  const xs = all.map((p) => p[0]), ys = all.map((p) => p[1]);
  const [x0, x1, y1] = [Math.min(...xs), Math.max(...xs), Math.max(1e-12, ...ys)];
  const sx = (x: number) => P + ((x - x0) / (x1 - x0 || 1)) * (W - 2 * P);
  const sy = (y: number) => H - P - (y / y1) * (H - 2 * P);
  return (
    <section className="chart" data-testid="chart">
      <h2>{workflow.title}</h2>
      <svg width={W} height={H} role="img">
        <line x1={P} y1={H - P} x2={W - P} y2={H - P} stroke="#888" />
        <line x1={P} y1={P} x2={P} y2={H - P} stroke="#888" />
        {series.map((s, k) => (
          <polyline key={s.source} fill="none" strokeWidth={2} stroke={COLORS[k % COLORS.length]}
            points={s.x.map((x, i) => `${sx(x)},${sy(s.y[i])}`).join(" ")} />
        ))}
        <text x={W / 2} y={H - 6} textAnchor="middle" fontSize="12">{series[0].dim} [{series[0].unit}]</text>
        <text x={4} y={P - 8} fontSize="12">max {y1.toPrecision(3)}</text>
        <text x={P - 4} y={H - P + 4} textAnchor="end" fontSize="11" fill="#555">0</text>
        <text x={P} y={H - P + 14} textAnchor="middle" fontSize="11" fill="#555" data-testid="x-start">{tick(x0)}</text>
        <text x={W - P} y={H - P + 14} textAnchor="middle" fontSize="11" fill="#555" data-testid="x-stop">{tick(x1)}</text>
        {series.length > 1 && series.map((s, k) => (
          <text key={s.source} x={W - P} y={P + 14 * k} textAnchor="end" fontSize="12"
            fill={COLORS[k % COLORS.length]}>{s.source}</text>
        ))}
      </svg>
    </section>
  );
}
