// The JSON API of `wfspec serve` (docs/adr/0015-web-api.md), typed for the page.

export interface SourceState {
  name: string;
  state: string | null;
  fresh: boolean;
  error: string | null;
  warning: string | null;
  rejected: boolean;
  last_heartbeat_at: number | null;
}

export interface CommandResult {
  kind: string;
  outcome: string;
  message: string | null;
  replies: { source: string; outcome: string; message: string | null }[];
}

export interface Workflow {
  id: string;
  title: string;
  group: string;
  service: string;
  template: string | null;
  local: boolean;
  source_names: string[];
  state: string;
  badge: string;
  summary: string | null;
  sources: SourceState[];
  reporting: number;
  last_heartbeat_at: number | null;
  last_command: CommandResult | null;
}

export interface Diagnostic {
  file: string;
  line: number;
  col: number;
  severity: string;
  code: string;
  message: string;
  hint: string | null;
}

export interface Info {
  mode: "live" | "preview";
  instrument: string | null;
  token_required: boolean;
  ok?: boolean;
  diagnostics: Diagnostic[];
  demo?: { chart: string };
}

export interface Template {
  name: string;
  title: string;
  description: string;
  config_schema: Record<string, any>;
  ui_schema: Record<string, any>;
}

export interface TimeseriesRef {
  label: string;
  value: Record<string, any>;
}

export interface FieldError {
  field: string;
  message: string;
}

export class ApiFailure extends Error {
  constructor(
    public status: number,
    message: string,
    public fields: FieldError[],
  ) {
    super(message);
  }
}

let token = localStorage.getItem("wfspec-token") ?? "";
export function setToken(value: string) {
  token = value;
  localStorage.setItem("wfspec-token", value);
}

export async function api<T>(path: string, method = "GET", body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (method !== "GET" && token) headers["Authorization"] = `Bearer ${token}`;
  const response = await fetch(path, {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiFailure(response.status, data.error ?? response.statusText, data.fields ?? []);
  }
  return data as T;
}

export const wfPath = (id: string) => `/api/workflows/${id.split("/").map(encodeURIComponent).join("/")}`;
export const instancePath = (id: string) => `/api/instances/${id.split("/").map(encodeURIComponent).join("/")}`;
