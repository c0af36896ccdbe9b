// The workflow page: live list (SSE), start/stop, add/delete instances, preview diagnostics.
import { useEffect, useState } from "react";
import { api, Info, setToken, Workflow } from "./api";
import { WorkflowList } from "./WorkflowList";
import { AddInstance } from "./AddInstance";
import { Chart } from "./Chart";

type ById = Record<string, Workflow>;

/** The current workflows: a snapshot on connect, then the changes the server pushes. */
function useWorkflows(onSpecs: () => void): [ById, boolean] {
  const [byId, setById] = useState<ById>({});
  const [connected, setConnected] = useState(false);
  useEffect(() => {
    const source = new EventSource("/api/events");
    source.addEventListener("open", () => setConnected(true));
    source.addEventListener("error", () => setConnected(false));
    source.addEventListener("snapshot", (e) => {
      const list: Workflow[] = JSON.parse((e as MessageEvent).data).workflows;
      setById(Object.fromEntries(list.map((w) => [w.id, w])));
    });
    source.addEventListener("workflows", (e) => {
      const { changed, removed } = JSON.parse((e as MessageEvent).data);
      setById((old) => {
        const next = { ...old };
        for (const w of changed as Workflow[]) next[w.id] = w;
        for (const id of removed as string[]) delete next[id];
        return next;
      });
    });
    source.addEventListener("specs", () => onSpecs());
    return () => source.close();
  }, []);
  return [byId, connected];
}

/** Ticks once a second so heartbeat ages count up between events. */
function useNow(): number {
  const [now, setNow] = useState(Date.now() / 1000);
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now() / 1000), 1000);
    return () => clearInterval(timer);
  }, []);
  return now;
}

export function App() {
  const [info, setInfo] = useState<Info | null>(null);
  const [specsVersion, setSpecsVersion] = useState(0);
  const reloadInfo = () => api<Info>("/api/info").then(setInfo);
  const [byId, connected] = useWorkflows(() => {
    reloadInfo();
    setSpecsVersion((v) => v + 1);
  });
  const now = useNow();
  useEffect(() => {
    reloadInfo();
  }, []);
  const [tokenDraft, setTokenDraft] = useState("");
  if (!info) return <p className="muted">loading…</p>;
  const preview = info.mode === "preview";
  const broken = preview && info.ok === false;
  return (
    <div className="page">
      <header>
        <h1>
          Workflows {info.instrument ? <span className="muted">({info.instrument})</span> : null}
        </h1>
        <span className={`conn ${connected ? "ok" : "down"}`} data-testid="connection">
          {preview ? "preview" : connected ? "live" : "reconnecting…"}
        </span>
        {info.token_required && (
          <span className="token">
            <input
              type="password"
              placeholder="token"
              value={tokenDraft}
              onChange={(e) => setTokenDraft(e.target.value)}
            />
            <button onClick={() => setToken(tokenDraft)}>use token</button>
          </span>
        )}
      </header>
      {broken ? (
        <section className="diagnostics" data-testid="diagnostics">
          <h2>The specs do not check</h2>
          <ul>
            {info.diagnostics.map((d, i) => (
              <li key={i} className={d.severity}>
                <code>
                  {d.file}:{d.line}:{d.col}
                </code>{" "}
                <b>{d.severity}</b> [{d.code}] {d.message}
                {d.hint ? <div className="hint">hint: {d.hint}</div> : null}
              </li>
            ))}
          </ul>
        </section>
      ) : (
        <>
          <AddInstance key={`add-${specsVersion}`} preview={preview} />
          <WorkflowList key={`list-${specsVersion}`} workflows={Object.values(byId)} now={now} preview={preview} />
          {info.demo?.chart && byId[info.demo.chart] && <Chart workflow={byId[info.demo.chart]} />}
        </>
      )}
    </div>
  );
}
