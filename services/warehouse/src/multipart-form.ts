/**
 * The text fields of a multipart/form-data body. @clickhouse/client sends `query` and `param_*` this
 * way when query parameters are too big for a URL (`use_multipart_params`); file parts are not
 * expected and are read as text like any other field.
 */

/** The boundary of a `multipart/form-data; boundary=…` content type, if it is one. */
export function multipartBoundary(contentType: string): string | undefined {
  if (!/^multipart\/form-data\s*;/i.test(contentType)) return undefined;
  const match = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  return match?.[1] ?? match?.[2];
}

/** Parses the fields, in order; throws when the body is not well-formed. */
export function parseMultipartForm(body: Buffer, boundary: string): [string, string][] {
  const delimiter = `--${boundary}`;
  const text = body.toString('utf8');
  const parts = text.split(delimiter);
  const last = parts.at(-1);
  if (parts.length < 2 || last === undefined || !last.startsWith('--')) {
    throw new Error('multipart body without a closing boundary');
  }
  const fields: [string, string][] = [];
  for (const part of parts.slice(1, -1)) {
    const content = part.replace(/^\r\n/, '').replace(/\r\n$/, '');
    const split = content.indexOf('\r\n\r\n');
    if (split === -1) throw new Error('multipart part without headers');
    const headers = content.slice(0, split);
    const name = /content-disposition:[^\r\n]*;\s*name="([^"]*)"/i.exec(headers)?.[1];
    if (name === undefined) throw new Error('multipart part without a name');
    fields.push([name, content.slice(split + 4)]);
  }
  return fields;
}
