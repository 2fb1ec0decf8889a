// Validates recorded HTTP responses against the OpenAPI specs in tests/conformance/specs.
//
// The specs are the Ballerina copies described in SOURCES.md; their known edits are undone here:
//  * servers[0].url carries the path prefix (…/crm/v3/objects/leads, …/crm/v4, …): the prefix is moved
//    back onto every path, so operations match absolute request paths;
//  * `format: datetime` (associations, schema, properties) is registered as an ISO-8601 date-time format;
//  * `label` nullable, `typeId`/`fromObjectId`/`toObjectId` integers: kept, they match real responses;
//  * leads output objects lack objectWriteTraceId/url/warnings: fine, additional properties are allowed;
//  * the leads spec covers /crm/v3/objects/leads; HubSpot serves the same operations under the object
//    type id /crm/v3/objects/0-136 (docs/hubspot-api.md), so that prefix is matched against the same operations;
//  * every operation also has its date-versioned spelling (/crm/objects/{version}/…,
//    /crm/associations/{version}/…, …), checked against the same operation plus the version's own
//    differences (lib/versions.mjs), and reported as its own operation per version.
// Responses the specs do not contain are checked against explicit schemas instead (never skipped):
//  * the v3 per-lead association endpoints (docs/hubspot-api.md#leads-endpoints) against the leads spec's own
//    SimplePublicObjectWithAssociations / CollectionResponseAssociatedId components;
//  * 429 bodies against the shapes of docs/hubspot-api.md#429-bodies (the specs have no 429 and HubSpot's 429 lacks the
//    `category` the spec's Error requires).
import fs from 'node:fs';
import path from 'node:path';
import yaml from 'js-yaml';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

import { datedTemplate, oauthCheck, versionOf, versionedCheck } from './versions.mjs';

const SPEC_FILES = [
  { name: 'leads', file: 'leads-v3.openapi.json',
    extraPrefixes: ['/crm/v3/objects/0-136'] },
  { name: 'associations', file: 'associations-v4.openapi.yaml' },
  { name: 'associationsSchema', file: 'associations-schema-v4-labels.openapi.json' },
  { name: 'properties', file: 'properties-v3.openapi.json' },
  { name: 'pipelines', file: 'pipelines-v3.openapi.json' },
];

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

const RATE_LIMIT_429 = {
  oneOf: [
    { type: 'object', additionalProperties: false,
      required: ['status', 'message', 'errorType', 'correlationId', 'policyName', 'groupName'],
      properties: { status: { const: 'error' }, message: { const: 'You have reached your ten_secondly_rolling limit.' },
                    errorType: { const: 'RATE_LIMIT' }, correlationId: { type: 'string', format: 'uuid' },
                    policyName: { const: 'TEN_SECONDLY_ROLLING' }, groupName: { type: 'string', pattern: '^publicapi:private_app-api-calls-ten-secondly:\\d+:\\d+$' } } },
    { type: 'object', additionalProperties: false,
      required: ['status', 'message', 'errorType', 'correlationId', 'policyName', 'requestId'],
      properties: { status: { const: 'error' }, message: { const: 'You have reached your daily limit.' },
                    errorType: { const: 'RATE_LIMIT' }, correlationId: { type: 'string', format: 'uuid' },
                    policyName: { const: 'DAILY' }, requestId: { type: 'string', format: 'uuid' } } },
    { type: 'object', additionalProperties: false, required: ['status', 'message', 'errorType'],
      properties: { status: { const: 'error' }, message: { const: 'You have reached your secondly limit.' },
                    errorType: { const: 'RATE_LIMIT' } } },
  ],
};

// The environment variable when set, else the copy in the repository (tests/conformance/specs).
export function specsDir(repoRoot) {
  if (process.env.LEADSYNC_HUBSPOT_SPECS_DIR) return process.env.LEADSYNC_HUBSPOT_SPECS_DIR;
  return path.resolve(repoRoot, 'tests', 'conformance', 'specs');
}

export function specsPresent(dir) {
  return SPEC_FILES.every((s) => fs.existsSync(path.join(dir, s.file)));
}

function templateRegex(template) {
  const escaped = template.split('/').map((seg) => {
    if (/^\{[^}]+\}$/.test(seg)) return seg === '{version}' ? '\\d{4}-\\d{2}(?:-beta)?' : '[^/]+';
    return seg.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  }).join('/');
  return new RegExp(`^${escaped}$`);
}

export class SpecValidator {
  constructor(dir) {
    this.ajv = new Ajv({ strict: false, allErrors: true, validateSchema: false });
    addFormats(this.ajv);
    this.ajv.addFormat('datetime', { type: 'string', validate: (s) => ISO_DATETIME.test(s) });
    this.operations = [];
    for (const spec of SPEC_FILES) {
      const text = fs.readFileSync(path.join(dir, spec.file), 'utf8');
      const doc = spec.file.endsWith('.yaml') ? yaml.load(text) : JSON.parse(text);
      this.ajv.addSchema(doc, spec.name);
      const prefix = new URL(doc.servers[0].url).pathname.replace(/\/$/, '');
      const prefixes = [prefix, ...(spec.extraPrefixes || [])];
      for (const [p, ops] of Object.entries(doc.paths)) {
        for (const [method, op] of Object.entries(ops)) {
          if (!['get', 'put', 'post', 'patch', 'delete'].includes(method)) continue;
          for (const pre of prefixes) {
            const template = p === '/' ? pre : pre + p;
            const literals = template.split('/').filter((s) => s && !s.startsWith('{')).length;
            this.operations.push({ spec: spec.name, doc, method: method.toUpperCase(), template,
                                   regex: templateRegex(template), literals, responses: op.responses,
                                   id: `${spec.name} ${method.toUpperCase()} ${prefix}${p === '/' ? '' : p}` });
            const dated = pre === prefix ? datedTemplate(template) : null;
            if (dated) {
              this.operations.push({ spec: spec.name, doc, method: method.toUpperCase(), template: dated,
                                     regex: templateRegex(dated), responses: op.responses, dated: true,
                                     literals: dated.split('/').filter((x) => x && !x.startsWith('{')).length,
                                     id: `${spec.name} ${method.toUpperCase()} ${dated}` });
            }
          }
        }
      }
    }
    // Most specific first: a literal segment beats a parameter.
    this.operations.sort((a, b) => b.literals - a.literals);
    // Endpoints HubSpot documents but the saved specs lack (docs/hubspot-api.md#leads-endpoints).
    const v3assoc = '/crm/v3/objects/{leads}/{id}/associations/{toObjectType}';
    this.extra = [
      { method: 'PUT', regex: templateRegex(`${v3assoc}/{toObjectId}/{associationTypeId}`),
        id: 'v3 PUT …/associations/{toObjectType}/{toObjectId}/{typeId}',
        responses: { 200: 'leads#/components/schemas/SimplePublicObjectWithAssociations' } },
      { method: 'DELETE', regex: templateRegex(`${v3assoc}/{toObjectId}/{associationTypeId}`),
        id: 'v3 DELETE …/associations/{toObjectType}/{toObjectId}/{typeId}', responses: { 204: null } },
      { method: 'GET', regex: templateRegex(v3assoc), id: 'v3 GET …/associations/{toObjectType}',
        responses: { 200: 'leads#/components/schemas/CollectionResponseAssociatedId' } },
    ];
    this.compiled = new Map();
    this.rateLimitValidator = this.ajv.compile(RATE_LIMIT_429);
  }

  validatorFor(ref) {
    if (!this.compiled.has(ref)) this.compiled.set(ref, this.ajv.getSchema(ref));
    return this.compiled.get(ref);
  }

  // Rewrites document-local $refs so an inline schema can be compiled on its own.
  inlineValidator(specName, schema) {
    const key = `${specName}::${JSON.stringify(schema)}`;
    if (!this.compiled.has(key)) {
      const rewrite = (x) => {
        if (Array.isArray(x)) return x.map(rewrite);
        if (x && typeof x === 'object') {
          const out = {};
          for (const [k, v] of Object.entries(x)) out[k] = k === '$ref' && v.startsWith('#') ? `${specName}${v}` : rewrite(v);
          return out;
        }
        return x;
      };
      this.compiled.set(key, this.ajv.compile(rewrite(schema)));
    }
    return this.compiled.get(key);
  }

  // Returns {operation, errors[]} for one recorded exchange; operation is null when no spec covers it.
  validate(rec) {
    const errors = [];
    const pathOnly = rec.path;
    if (rec.status === 429) {
      const body = parseJson(rec.body, errors);
      if (body !== undefined && !this.rateLimitValidator(body)) errors.push(this.ajv.errorsText(this.rateLimitValidator.errors));
      return { operation: '429 (docs/hubspot-api.md#429-bodies)', errors };
    }
    const oauth = oauthCheck(rec);
    if (oauth) {
      if (!oauth.schema) {
        errors.push(`status ${rec.status} is not expected from ${oauth.operation}`);
      } else {
        const body = parseJson(rec.body, errors);
        const v = this.ajv.compile(oauth.schema);
        if (body !== undefined && !v(body)) errors.push(this.ajv.errorsText(v.errors, { dataVar: 'body' }));
      }
      return { operation: oauth.operation, errors };
    }
    const op = this.operations.find((o) => o.method === rec.method && o.regex.test(pathOnly));
    if (op && op.dated) {
      const version = versionOf(pathOnly);
      const operation = `${op.id} @${version}`;
      const check = versionedCheck(op.id, version, rec);
      errors.push(...check.errors);
      let schemaValidator = check.schema ? this.inlineValidator(op.spec, check.schema) : null;
      if (!schemaValidator) {
        const response = resolve(op.doc, op.responses[String(check.status || rec.status)] || op.responses.default);
        if (!response) {
          errors.push(`status ${rec.status} is not documented for ${operation}`);
          return { operation, errors };
        }
        const media = response.content && (response.content['application/json'] || response.content['*/*']);
        const schema = media && media.schema;
        if (!schema) {
          if (rec.body.length) errors.push(`${operation} ${rec.status} must have no body, got ${rec.body.slice(0, 80)}`);
          return { operation, errors };
        }
        schemaValidator = schema.$ref ? this.validatorFor(`${op.spec}${schema.$ref}`) : this.inlineValidator(op.spec, schema);
      }
      checkJsonHeaders(rec, errors);
      const body = parseJson(rec.body, errors);
      if (body === undefined) return { operation, errors };
      if (!schemaValidator(body)) errors.push(this.ajv.errorsText(schemaValidator.errors, { dataVar: 'body' }));
      check.after(body, errors);
      return { operation, errors };
    }
    if (op) {
      const response = resolve(op.doc, op.responses[String(rec.status)] || op.responses.default);
      if (!response) {
        errors.push(`status ${rec.status} is not documented for ${op.id}`);
        return { operation: op.id, errors };
      }
      // Error responses are a shared component whose media type is "*/*".
      const media = response.content && (response.content['application/json'] || response.content['*/*']);
      const schema = media && media.schema;
      if (!schema) {
        if (rec.body.length) errors.push(`${op.id} ${rec.status} must have no body, got ${rec.body.slice(0, 80)}`);
        return { operation: op.id, errors };
      }
      checkJsonHeaders(rec, errors);
      const body = parseJson(rec.body, errors);
      if (body === undefined) return { operation: op.id, errors };
      const validator = schema.$ref ? this.validatorFor(`${op.spec}${schema.$ref}`) : this.inlineValidator(op.spec, schema);
      if (!validator(body)) errors.push(this.ajv.errorsText(validator.errors, { dataVar: 'body' }));
      return { operation: op.id, errors };
    }
    const extra = this.extra.find((o) => o.method === rec.method && o.regex.test(pathOnly));
    if (extra) {
      const ref = extra.responses[rec.status];
      if (ref === undefined) {
        // Errors of undocumented endpoints must still be HubSpot's Error shape.
        checkJsonHeaders(rec, errors);
        const body = parseJson(rec.body, errors);
        const v = this.validatorFor('leads#/components/schemas/Error');
        if (body !== undefined && !v(body)) errors.push(this.ajv.errorsText(v.errors, { dataVar: 'body' }));
      } else if (ref === null) {
        if (rec.body.length) errors.push(`${extra.id} ${rec.status} must have no body`);
      } else {
        checkJsonHeaders(rec, errors);
        const body = parseJson(rec.body, errors);
        const v = this.validatorFor(ref);
        if (body !== undefined && !v(body)) errors.push(this.ajv.errorsText(v.errors, { dataVar: 'body' }));
      }
      return { operation: extra.id, errors };
    }
    return { operation: null, errors: [`no spec operation matches ${rec.method} ${pathOnly}`] };
  }

  allOperationIds() {
    return [...new Set(this.operations.map((o) => o.id))];
  }
}

// Follows a document-local $ref ("#/components/responses/Error").
function resolve(doc, node) {
  if (!node || !node.$ref) return node;
  return node.$ref.slice(2).split('/').reduce((x, key) => x && x[key.replace(/~1/g, '/').replace(/~0/g, '~')], doc);
}

function parseJson(text, errors) {
  try {
    return JSON.parse(text);
  } catch (e) {
    errors.push(`body is not JSON: ${e.message}: ${text.slice(0, 120)}`);
    return undefined;
  }
}

function checkJsonHeaders(rec, errors) {
  if (rec.headers['content-type'] !== 'application/json;charset=utf-8')
    errors.push(`Content-Type is ${rec.headers['content-type']}, expected application/json;charset=utf-8`);
}
