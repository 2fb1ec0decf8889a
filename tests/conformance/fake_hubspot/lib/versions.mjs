// HubSpot's date-versioned API (2026-03, 2026-09) as the conformance test checks it.
//
// No OpenAPI file of the date versions may be vendored (HubSpot's own spec collection is proprietary),
// so the date-versioned paths are validated against the legacy specs (same operations, the version moved
// into the path after the API family) plus the differences below, written from HubSpot's changelogs and
// migration guide as the project's notes record them:
//  * 2026-03 keeps the v3 leads bodies and statuses; the per-lead association writes are the v4 per-pair
//    routes under /crm/objects/{version}/…, whose PUT replaces the pair's labels;
//  * association batch archive and labels archive answer 200 with a batch response
//    {status, results, startedAt, completedAt} in the date versions instead of v4's empty 204;
//  * each option of a property created through /crm/properties/{version} carries displayOrder;
//  * pipeline stages always carry writePermissions;
//  * 2026-09 has no 207: batch responses report per-input errors inline (numErrors = errors.length) with
//    their normal status, and the association batch create answers 200 instead of 201;
//  * 2026-09 write validation: a 400 VALIDATION_ERROR whose errors[] name a code and
//    context.propertyName;
//  * OAuth /oauth/{version}/token: form body only, token response fields, RFC 6749 error fields next to
//    the old status/message.

const ISO = { type: 'string', pattern: '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}(\\.\\d+)?(Z|[+-]\\d{2}:\\d{2})$' };

// 200 body of the date-versioned association batch archive / labels archive.
export const DATED_ARCHIVE_RESPONSE = {
  type: 'object',
  required: ['status', 'results', 'startedAt', 'completedAt'],
  properties: {
    status: { enum: ['PENDING', 'PROCESSING', 'CANCELED', 'COMPLETE'] },
    results: { type: 'array' },
    startedAt: ISO,
    completedAt: ISO,
    numErrors: { type: 'integer' },
    errors: { type: 'array' },
  },
};

export const VALIDATION_400 = {
  type: 'object',
  required: ['status', 'message', 'correlationId', 'category', 'errors'],
  properties: {
    status: { const: 'error' },
    category: { const: 'VALIDATION_ERROR' },
    errors: {
      type: 'array', minItems: 1,
      items: { type: 'object', required: ['code', 'message', 'context'],
               properties: { code: { type: 'string' }, message: { type: 'string' },
                             context: { type: 'object', required: ['propertyName'],
                                        properties: { propertyName: { type: 'array', items: { type: 'string' }, minItems: 1 } } } } },
    },
  },
};

export const TOKEN_RESPONSE = {
  type: 'object',
  required: ['access_token', 'expires_in', 'refresh_token', 'token_type', 'token_use'],
  properties: {
    access_token: { type: 'string', minLength: 1, maxLength: 300 },
    refresh_token: { type: 'string', minLength: 1 },
    expires_in: { type: 'integer', minimum: 1 },
    token_type: { type: 'string' },
    token_use: { type: 'string' },
  },
};

const OLD_OAUTH_ERROR = {
  type: 'object', required: ['status', 'message', 'correlationId'],
  properties: { status: { type: 'string' }, message: { type: 'string' }, correlationId: { type: 'string' } },
};
const RFC6749_ERROR = {
  allOf: [OLD_OAUTH_ERROR, {
    type: 'object', required: ['error', 'error_description'],
    properties: { error: { enum: ['invalid_request', 'invalid_client', 'invalid_grant', 'unauthorized_client',
                                  'unsupported_grant_type', 'invalid_scope'] },
                  error_description: { type: 'string' } },
  }],
};

const VERSION_SEGMENT = '\\d{4}-\\d{2}(?:-beta)?';

// 'legacy', '2026-03' or '2026-09' (later dates behave as 2026-09).
export function versionOf(path) {
  const m = new RegExp(`^/(?:crm/(?:objects|associations|properties|pipelines)|oauth)/(${VERSION_SEGMENT})(?:/|$)`).exec(path);
  if (!m) return 'legacy';
  return m[1].slice(0, 7) < '2026-09' ? '2026-03' : '2026-09';
}

// The date-versioned spelling of a legacy path template, or null when the operation has none.
export function datedTemplate(template) {
  const rules = [
    [/^\/crm\/v3\/objects\/leads(?=\/|$)/, '/crm/objects/{version}/leads'],
    [/^\/crm\/v4\/objects\//, '/crm/objects/{version}/'],
    [/^\/crm\/v4\/associations\//, '/crm/associations/{version}/'],
    [/^\/crm\/v3\/properties\//, '/crm/properties/{version}/'],
    [/^\/crm\/v3\/pipelines\//, '/crm/pipelines/{version}/'],
  ];
  for (const [from, to] of rules) if (from.test(template)) return template.replace(from, to);
  return null;
}

export function versionSegmentRegex() {
  return VERSION_SEGMENT;
}

const isAssocBatch = (id, op) => new RegExp(`^associations POST .*/batch/${op}$`).test(id);

// How a recorded exchange on a date-versioned path is checked. Returns
//  { status }  validate against the legacy operation's response for this status instead, or
//  { schema }  validate against this explicit schema instead of the spec's,
// plus `errors` found by the version's own rules and `after(body, errors)` for checks on top.
export function versionedCheck(opId, version, rec) {
  const out = { errors: [] };
  if (version === 'legacy') return out;
  if (version === '2026-09' && rec.status === 207)
    out.errors.push('2026-09 reports batch errors inline (numErrors/errors with the normal status), never 207');
  if ((isAssocBatch(opId, 'archive') || isAssocBatch(opId, 'labels/archive')) && rec.status === 200)
    out.schema = DATED_ARCHIVE_RESPONSE;
  if (version === '2026-09' && isAssocBatch(opId, 'create') && rec.status === 200) out.status = 201;
  if (version === '2026-09' && isAssocBatch(opId, 'create') && rec.status === 201)
    out.errors.push('2026-09 association batch create answers 200, not 201');
  if (rec.status === 400 && /"code"\s*:\s*"MISSING_/.test(rec.body)) out.schema = VALIDATION_400;
  out.after = (body, errors) => {
    if (version === '2026-09' && body && typeof body === 'object' && 'numErrors' in body &&
        body.numErrors !== (body.errors || []).length)
      errors.push(`numErrors ${body.numErrors} but ${(body.errors || []).length} errors`);
    if (/^pipelines GET /.test(opId) && rec.status === 200) {
      const stages = [];
      const collect = (p) => { for (const s of p.stages || []) stages.push(s); };
      if (Array.isArray(body.results)) body.results.forEach((x) => (x.stages ? collect(x) : stages.push(x)));
      else if (body.stages) collect(body);
      else stages.push(body);
      for (const s of stages)
        if (!['CRM_PERMISSIONS_ENFORCEMENT', 'READ_ONLY', 'INTERNAL_ONLY'].includes(s.writePermissions))
          errors.push(`stage ${s.id}: writePermissions is ${s.writePermissions}`);
    }
  };
  return out;
}

// The OAuth token endpoint, which no vendored spec covers: {operation, schema} for a recorded exchange.
export function oauthCheck(rec) {
  const m = /^\/oauth\/(v1|\d{4}-\d{2}(?:-beta)?)\/token$/.exec(rec.path);
  if (!m || rec.method !== 'POST') return null;
  const dated = m[1] !== 'v1';
  const operation = dated ? `oauth POST /oauth/{version}/token @${versionOf(rec.path)}` : 'oauth POST /oauth/v1/token';
  if (rec.status === 200) return { operation, schema: TOKEN_RESPONSE };
  if (rec.status === 400) return { operation, schema: dated ? RFC6749_ERROR : OLD_OAUTH_ERROR };
  return { operation, schema: null };
}
