// Start / reconfigure: sources as checkboxes + the params form, rendered by rjsf from the
// bundle's schema and uiSchema. x-constraints are checked by customValidate; the server's
// field errors come back as extraErrors on the field they concern.
import { useEffect, useMemo, useState } from "react";
import Form from "@rjsf/core";
import validator from "@rjsf/validator-ajv8";
import { api, ApiFailure, Workflow, wfPath } from "./api";
import { constraintValidator, Json, toErrorSchema, withChoiceTypes, withoutRepeatedHelp } from "./formtools";

interface ParamsForm {
  params_schema: Json;
  ui_schema: Json;
  defaults: Json;
  source_names: string[];
  current?: { sources: string[]; params: Json };
}

export function StartForm({ workflow, preview, onDone }: { workflow: Workflow; preview: boolean; onDone: () => void }) {
  const [form, setForm] = useState<ParamsForm | null>(null);
  const [extraErrors, setExtraErrors] = useState<Json>({});
  const [verdict, setVerdict] = useState<string | null>(null);
  const [data, setData] = useState<Json | null>(null);
  useEffect(() => {
    api<ParamsForm>(`${wfPath(workflow.id)}/form`).then((f) => {
      setForm(f);
      setData(f.current ?? { sources: f.source_names, params: f.defaults });
    });
  }, [workflow.id]);
  const [schema, uiSchema, customValidate] = useMemo(() => {
    if (!form) return [null, null, null];
    const { definitions, $schema, title, ...params } = withChoiceTypes(form.params_schema);
    const root: Json = {
      type: "object",
      title: `${preview ? "Check" : "Start"} ${title ?? workflow.title}`,
      properties: {
        sources: {
          type: "array",
          title: "Sources",
          items: { type: "string", enum: form.source_names },
          uniqueItems: true,
          minItems: 1,
        },
        params: { ...params, title: "Parameters" },
      },
    };
    if (definitions) root.definitions = definitions;
    const ui = { sources: { "ui:widget": "checkboxes" }, params: withoutRepeatedHelp(params, form.ui_schema), "ui:submitButtonOptions": { submitText: preview ? "check" : "start" } };
    return [root, ui, constraintValidator(params, ["params"])];
  }, [form]);
  if (!form || !schema || !data) return <div className="muted">loading form…</div>;
  const submit = async (formData: Json) => {
    setExtraErrors({});
    setVerdict(null);
    try {
      const result = await api<Json>(`${wfPath(workflow.id)}/start`, "POST", formData);
      if (preview) setVerdict("server: valid");
      else {
        const errors: string[] = result.errors ?? [];
        setVerdict(errors.length ? `ERR: ${errors.join("; ")}` : `sent (job ${String(result.job_number).slice(0, 8)})`);
        if (!errors.length) onDone();
      }
    } catch (e) {
      if (e instanceof ApiFailure && e.status === 422) {
        const extra = toErrorSchema(
          e.fields.map((f) => (f.field === "sources" ? f : { ...f, field: f.field ? `params.${f.field}` : "params" })),
        );
        setExtraErrors(extra);
        setVerdict(`server: ${e.message}`);
      } else setVerdict(String((e as Error).message));
    }
  };
  return (
    <div className="form-panel" data-testid="start-form">
      <Form
        schema={schema}
        uiSchema={uiSchema!}
        formData={data}
        validator={validator}
        customValidate={customValidate as any}
        extraErrors={extraErrors as any}
        showErrorList="top"
        noHtml5Validate
        onChange={(e) => setData(e.formData)}
        onSubmit={(e) => submit(e.formData)}
      />
      {verdict && <div className="verdict" data-testid="verdict">{verdict}</div>}
    </div>
  );
}
