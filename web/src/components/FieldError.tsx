/** The API's message for one field, shown beside it (`field` as in the 422 details, e.g. `params.num_bins`). */
export function FieldError({ field, message }: { field: string; message?: string }) {
  if (!message) return null;
  return (
    <div className="field-error" data-testid={`field-error-${field}`}>
      {message}
    </div>
  );
}

/** The API's message for the whole request, above the form; each field's own message stands beside the field. */
export function FormError({ message }: { message?: string }) {
  if (!message) return null;
  return (
    <div className="form-error" role="alert" data-testid="form-error">
      {message}
    </div>
  );
}
