// The workflow list, grouped by group/service: badge, sources reporting, heartbeat age,
// messages per source, the last command's ACK/ERR, and the actions.
import { useState } from "react";
import { api, instancePath, Workflow, wfPath } from "./api";
import { StartForm } from "./StartForm";

function age(now: number, at: number | null): string {
  if (at === null) return "never";
  const s = Math.max(0, now - at);
  return s < 60 ? `${s.toFixed(0)} s ago` : `${(s / 60).toFixed(0)} min ago`;
}

function CommandLine({ w }: { w: Workflow }) {
  const c = w.last_command;
  if (!c) return null;
  const texts = c.replies.map((r) => `${r.source}: ${r.outcome === "ok" ? "ACK" : r.outcome === "error" ? `ERR ${r.message ?? ""}` : r.outcome}`);
  return (
    <div className={`command ${c.outcome}`} data-testid="last-command">
      last {c.kind}: {c.outcome}
      {c.message ? ` — ${c.message}` : ""}
      {texts.length ? ` (${texts.join("; ")})` : ""}
    </div>
  );
}

function Row({ w, now, preview }: { w: Workflow; now: number; preview: boolean }) {
  const [open, setOpen] = useState<"start" | null>(null);
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<string | null>(null);
  const act = async (what: () => Promise<unknown>) => {
    setBusy(true);
    setProblem(null);
    try {
      await what();
    } catch (e) {
      setProblem(String((e as Error).message));
    } finally {
      setBusy(false);
    }
  };
  const remove = () => {
    if (!window.confirm(`Delete ${w.title} (${w.id})? Its jobs are stopped first.`)) return;
    act(() => api(instancePath(w.id), "DELETE"));
  };
  const total = w.sources.length;
  return (
    <li className="workflow" data-testid="workflow" data-id={w.id}>
      <div className="line">
        <span className={`badge ${w.badge.replace(" ", "-")}`} data-testid="badge">
          {w.badge}
        </span>
        <span className="title">{w.title}</span>
        <code className="id">{w.id}</code>
        {w.template && <span className="tag">instance of {w.template}</span>}
        <span className="sources">{total ? `${w.reporting}/${total} reporting` : ""}</span>
        <span className="age">{total ? `last heartbeat ${age(now, w.last_heartbeat_at)}` : ""}</span>
        <span className="actions">
          <button onClick={() => setOpen(open ? null : "start")} disabled={busy}>
            {w.badge === "not running" ? "start" : "reconfigure"}
          </button>
          {!preview && (
            <button onClick={() => act(() => api(`${wfPath(w.id)}/stop`, "POST"))} disabled={busy || w.badge === "not running"}>
              stop
            </button>
          )}
          {w.template && !preview && (
            <button className="danger" onClick={remove} disabled={busy} data-testid="delete">
              delete
            </button>
          )}
        </span>
      </div>
      {w.summary && <div className="summary" data-testid="summary">{w.summary}</div>}
      <CommandLine w={w} />
      {problem && <div className="problem">{problem}</div>}
      {total > 0 && (
        <details>
          <summary>sources</summary>
          <table className="per-source">
            <tbody>
              {w.sources.map((s) => (
                <tr key={s.name}>
                  <td>{s.name}</td>
                  <td>{s.state ?? "—"}{s.fresh ? "" : " (not fresh)"}</td>
                  <td>{age(now, s.last_heartbeat_at)}</td>
                  <td className="message">{s.error ?? s.warning ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </details>
      )}
      {open === "start" && <StartForm workflow={w} preview={preview} onDone={() => setOpen(null)} />}
    </li>
  );
}

export function WorkflowList({ workflows, now, preview }: { workflows: Workflow[]; now: number; preview: boolean }) {
  const groups = new Map<string, Workflow[]>();
  for (const w of [...workflows].sort((a, b) => a.id.localeCompare(b.id))) {
    const key = w.group === w.service ? w.group : `${w.group} · ${w.service}`;
    groups.set(key, [...(groups.get(key) ?? []), w]);
  }
  return (
    <main>
      {[...groups.entries()].sort().map(([group, items]) => (
        <section key={group} className="group">
          <h2>{group}</h2>
          <ul>
            {items.map((w) => (
              <Row key={w.id} w={w} now={now} preview={preview} />
            ))}
          </ul>
        </section>
      ))}
    </main>
  );
}
