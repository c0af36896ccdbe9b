// "+ new template instance": choose a template, fill its config form (a timeseries field is a dropdown of the
// bundle's references), and the new instance appears in the list (the server's event).
import { useEffect, useMemo, useState } from "react";
import Form from "@rjsf/core";
import validator from "@rjsf/validator-ajv8";
import { api, ApiFailure, Template, TimeseriesRef } from "./api";
import { constraintValidator, Json, timeseriesFields, toErrorSchema, withChoiceTypes, withTimeseriesDropdowns } from "./formtools";

export function AddInstance({ preview }: { preview: boolean }) {
  const [open, setOpen] = useState(false);
  const [templates, setTemplates] = useState<Template[]>([]);
  const [refs, setRefs] = useState<TimeseriesRef[]>([]);
  const [chosen, setChosen] = useState<string>("");
  const [data, setData] = useState<Json>({});
  const [extraErrors, setExtraErrors] = useState<Json>({});
  const [verdict, setVerdict] = useState<string | null>(null);
  useEffect(() => {
    if (!open) return;
    api<Template[]>("/api/templates").then((t) => {
      setTemplates(t);
      if (t.length && !chosen) setChosen(t[0].name);
    });
    api<TimeseriesRef[]>("/api/timeseries").then(setRefs);
  }, [open]);
  const template = templates.find((t) => t.name === chosen);
  const [schema, uiSchema, tsFields] = useMemo(() => {
    if (!template) return [null, null, [] as string[]];
    const [s, u] = withTimeseriesDropdowns(withChoiceTypes(template.config_schema), template.ui_schema, refs.map((r) => r.label));
    return [s, u, timeseriesFields(template.config_schema)];
  }, [template, refs]);
  const submit = async (formData: Json) => {
    setExtraErrors({});
    setVerdict(null);
    const config: Json = { ...formData };
    for (const name of tsFields) {
      const ref = refs.find((r) => r.label === config[name]);
      if (ref) config[name] = ref.value;
    }
    try {
      const result = await api<Json>("/api/instances", "POST", { template: chosen, config });
      setVerdict(preview ? `server: valid — would be ${result.id} "${result.title}"` : `added ${result.title} (${result.id})`);
      if (!preview) {
        setData({});
        setOpen(false);
      }
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 422) {
        setExtraErrors(toErrorSchema(e.fields, [], tsFields));
        setVerdict(`server: ${e.message}`);
      } else setVerdict(String((e as Error).message));
    }
  };
  return (
    <section className="add">
      <button className="plus" onClick={() => setOpen(!open)} data-testid="add-instance" aria-expanded={open}
        title="Add a workflow: choose a template and fill in its config">
        {open ? "× close" : "+ new template instance"}
      </button>
      {open && (
        <div className="form-panel" data-testid="add-form">
          <label>
            Template{" "}
            <select value={chosen} onChange={(e) => { setChosen(e.target.value); setData({}); setExtraErrors({}); }} data-testid="template-select">
              {templates.map((t) => (
                <option key={t.name} value={t.name}>
                  {t.title} ({t.name})
                </option>
              ))}
            </select>
          </label>
          {schema && (
            <Form
              key={chosen}
              schema={schema}
              uiSchema={{ ...uiSchema, "ui:submitButtonOptions": { submitText: preview ? "check" : "add" } }}
              formData={data}
              validator={validator}
              customValidate={constraintValidator(schema) as any}
              extraErrors={extraErrors as any}
              showErrorList="top"
              noHtml5Validate
              onChange={(e) => setData(e.formData)}
              onSubmit={(e) => submit(e.formData)}
            />
          )}
        </div>
      )}
      {verdict && <div className="verdict" data-testid="add-verdict">{verdict}</div>}
    </section>
  );
}
