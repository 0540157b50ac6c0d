// A local stand-in for Figma's Variables REST API, for SyncPilot's integration tests.
//
//   FIGMA_TOKEN=secret PORT=0 node tests/interop/fake_figma.mjs      → prints "LISTENING <port>"
//
// Figma side (X-Figma-Token must equal $FIGMA_TOKEN, else 403):
//   GET  /v1/files/:key/variables/local   {status, error, meta: {variables, variableCollections}}
//   POST /v1/files/:key/variables         validated against the official OpenAPI schema of
//        @figma/rest-api-spec (ajv, RGBA oneOf fixed as in test-infra.md §4), then applied
//        atomically with Figma's rules: temporary ids, collections → modes → variables → values,
//        4 MB body, 5 000 variables and 40 modes per collection, name rules, aliases that exist,
//        match the type and form no cycle.
// Test side (no token):
//   PUT  /__state/:key    seed a file with a GET-shaped meta ({variables, variableCollections})
//   GET  /__log           every POST received: {fileKey, bytes, valid, errors, status, body, tempIdToRealId}
//   POST /__faults        queue answers for the next API requests: [{"status":429,"retryAfter":1}, {"status":500}];
//                         optional "method" ("GET"/"POST") limits a fault to those requests, "skip": n
//                         lets n matching requests through first, "message" sets Figma's message
// A file exists once seeded (an empty meta {} will do); other keys answer 404 like Figma.
// Env: FIGMA_TOKEN (required), PORT (0 = any), FAKE_FIGMA_MAX_BODY (bytes, default 4 000 000),
// FAKE_FIGMA_DEBUG=1 (one stderr line per request).
import http from 'node:http';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import Ajv2020 from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

const MAX_BODY_BYTES = Number(process.env.FAKE_FIGMA_MAX_BODY || 4_000_000);
const MAX_VARIABLES = 5000;
const MAX_MODES = 40;
const MAX_MODE_NAME = 40;
const TOKEN = process.env.FIGMA_TOKEN || '';

// --- the official schema, compiled once ------------------------------------------------------
function makeValidator() {
  const require = createRequire(import.meta.url);
  const doc = parse(readFileSync(require.resolve('@figma/rest-api-spec/openapi/openapi.yaml'), 'utf8'));
  const body = doc.paths['/v1/files/{file_key}/variables'].post.requestBody.content['application/json'].schema;
  const components = structuredClone(doc.components);
  // Spec bug: {r,g,b,a} matches both RGB (no additionalProperties:false) and RGBA, so oneOf
  // rejects every colour with alpha. anyOf is what the spec means.
  const vv = components.schemas.VariableValue;
  vv.anyOf = vv.oneOf;
  delete vv.oneOf;
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv.compile({ $id: 'figma-post-variables', ...body, components });
}
const validate = makeValidator();

// --- state -----------------------------------------------------------------------------------
const files = new Map(); // fileKey → { collections: {id: …}, variables: {id: …}, counter }
const log = [];
const faults = [];

function emptyFile() { return { collections: {}, variables: {}, counter: 100 }; }
function fileFor(key) { return files.get(key); }
const key = () => randomBytes(20).toString('hex');

class Refusal extends Error {
  constructor(message, status = 400) { super(message); this.status = status; }
}
const refuse = (message) => { throw new Refusal(message); };

function defaultValue(type) {
  switch (type) {
    case 'COLOR': return { r: 1, g: 1, b: 1, a: 1 };
    case 'FLOAT': return 0;
    case 'BOOLEAN': return false;
    default: return '';
  }
}

function checkName(name) {
  if (typeof name !== 'string' || name.trim() === '') refuse('Variable name must not be empty');
  if (/[.{}]/.test(name)) refuse(`Invalid variable name "${name}": names cannot contain ".", "{" or "}"`);
}

function isAlias(v) { return v !== null && typeof v === 'object' && v.type === 'VARIABLE_ALIAS'; }

function checkValue(variable, value, resolveVariable, where) {
  if (value === null) refuse(`${where}: null only removes an override, and this collection is not an extension`);
  if (isAlias(value)) {
    const target = resolveVariable(value.id);
    if (!target || target.deletedButReferenced) refuse(`${where}: alias to unknown variable ${value.id}`);
    if (target.id === variable.id) refuse(`${where}: a variable cannot alias itself`);
    if (target.resolvedType !== variable.resolvedType)
      refuse(`${where}: alias to ${target.resolvedType} variable ${target.name} from a ${variable.resolvedType} variable`);
    return { type: 'VARIABLE_ALIAS', id: target.id };
  }
  switch (variable.resolvedType) {
    case 'COLOR': {
      const ok = value && typeof value === 'object' && ['r', 'g', 'b'].every((c) => typeof value[c] === 'number' && value[c] >= 0 && value[c] <= 1)
        && (value.a === undefined || (typeof value.a === 'number' && value.a >= 0 && value.a <= 1));
      if (!ok) refuse(`${where}: invalid COLOR value ${JSON.stringify(value)}`);
      return { r: value.r, g: value.g, b: value.b, a: value.a ?? 1 };
    }
    case 'FLOAT':
      if (typeof value !== 'number') refuse(`${where}: FLOAT needs a number, got ${JSON.stringify(value)}`);
      return value;
    case 'BOOLEAN':
      if (typeof value !== 'boolean') refuse(`${where}: BOOLEAN needs true or false, got ${JSON.stringify(value)}`);
      return value;
    default:
      if (typeof value !== 'string') refuse(`${where}: STRING needs a string, got ${JSON.stringify(value)}`);
      return value;
  }
}

// Applies a schema-valid body to a copy of the file; the caller commits the copy only on success.
function apply(file, body) {
  const temp = new Map(); // temp id → real id
  const claim = (id) => {
    if (id === undefined) return undefined;
    if (temp.has(id)) refuse(`Duplicate temporary id ${id}`);
    return id;
  };
  const real = (id) => (temp.has(id) ? temp.get(id) : id);
  const nextId = () => `1:${++file.counter}`;
  const collectionOf = (id) => {
    const c = file.collections[real(id)];
    if (!c) refuse(`Variable collection ${id} not found`);
    if (c.remote) refuse(`Cannot modify remote variable collection ${id}`);
    return c;
  };
  const variablesIn = (c) => Object.values(file.variables).filter((v) => v.variableCollectionId === c.id && !v.deletedButReferenced);

  for (const change of body.variableCollections ?? []) {
    if (change.action === 'CREATE') {
      const tempId = claim(change.id);
      const id = `VariableCollectionId:${nextId()}`;
      const modeId = nextId();
      file.collections[id] = {
        id, name: change.name, key: key(), modes: [{ modeId, name: 'Mode 1' }], defaultModeId: modeId,
        remote: false, hiddenFromPublishing: change.hiddenFromPublishing ?? false, variableIds: [],
      };
      if (tempId !== undefined) temp.set(tempId, id);
      if (change.initialModeId !== undefined) { claim(change.initialModeId); temp.set(change.initialModeId, modeId); }
    } else if (change.action === 'UPDATE') {
      const c = collectionOf(change.id);
      if (change.name !== undefined) c.name = change.name;
      if (change.hiddenFromPublishing !== undefined) c.hiddenFromPublishing = change.hiddenFromPublishing;
    } else {
      const c = collectionOf(change.id);
      for (const v of variablesIn(c)) delete file.variables[v.id];
      delete file.collections[c.id];
    }
  }

  for (const change of body.variableModes ?? []) {
    if (change.action === 'CREATE') {
      const tempId = claim(change.id);
      const c = collectionOf(change.variableCollectionId);
      if (change.name.length > MAX_MODE_NAME) refuse(`Mode name "${change.name}" is longer than ${MAX_MODE_NAME} characters`);
      if (c.modes.some((m) => m.name === change.name)) refuse(`Mode "${change.name}" already exists in collection ${c.name}`);
      if (c.modes.length >= MAX_MODES) refuse(`Collection ${c.name} cannot have more than ${MAX_MODES} modes`);
      const modeId = nextId();
      c.modes.push({ modeId, name: change.name });
      // New modes start with the default mode's values, as in Figma.
      for (const v of variablesIn(c)) v.valuesByMode[modeId] = structuredClone(v.valuesByMode[c.defaultModeId]);
      if (tempId !== undefined) temp.set(tempId, modeId);
    } else if (change.action === 'UPDATE') {
      const c = collectionOf(change.variableCollectionId);
      const mode = c.modes.find((m) => m.modeId === real(change.id));
      if (!mode) refuse(`Mode ${change.id} not found in collection ${c.name}`);
      if (change.name !== undefined) {
        if (change.name.length > MAX_MODE_NAME) refuse(`Mode name "${change.name}" is longer than ${MAX_MODE_NAME} characters`);
        if (c.modes.some((m) => m !== mode && m.name === change.name)) refuse(`Mode "${change.name}" already exists in collection ${c.name}`);
        mode.name = change.name;
      }
    } else {
      const modeId = real(change.id);
      const c = Object.values(file.collections).find((col) => col.modes.some((m) => m.modeId === modeId));
      if (!c) refuse(`Mode ${change.id} not found`);
      if (c.modes.length === 1) refuse(`Cannot delete the last mode of collection ${c.name}`);
      c.modes = c.modes.filter((m) => m.modeId !== modeId);
      if (c.defaultModeId === modeId) c.defaultModeId = c.modes[0].modeId;
      for (const v of variablesIn(c)) delete v.valuesByMode[modeId];
    }
  }

  const resolveVariable = (id) => file.variables[real(id)];
  for (const change of body.variables ?? []) {
    if (change.action === 'CREATE') {
      const tempId = claim(change.id);
      const c = collectionOf(change.variableCollectionId);
      checkName(change.name);
      const siblings = variablesIn(c);
      if (siblings.some((v) => v.name === change.name)) refuse(`Variable "${change.name}" already exists in collection ${c.name}`);
      if (siblings.length >= MAX_VARIABLES) refuse(`Collection ${c.name} cannot have more than ${MAX_VARIABLES} variables`);
      const id = `VariableID:${nextId()}`;
      const valuesByMode = {};
      for (const m of c.modes) valuesByMode[m.modeId] = defaultValue(change.resolvedType);
      file.variables[id] = {
        id, name: change.name, key: key(), variableCollectionId: c.id, resolvedType: change.resolvedType, valuesByMode,
        remote: false, description: change.description ?? '', hiddenFromPublishing: change.hiddenFromPublishing ?? false,
        scopes: change.scopes ?? ['ALL_SCOPES'], codeSyntax: change.codeSyntax ?? {}, deletedButReferenced: false,
      };
      c.variableIds.push(id);
      if (tempId !== undefined) temp.set(tempId, id);
    } else {
      const v = resolveVariable(change.id);
      if (!v || v.deletedButReferenced) refuse(`Variable ${change.id} not found`);
      if (v.remote) refuse(`Cannot modify remote variable ${change.id}`);
      if (change.action === 'UPDATE') {
        if (change.name !== undefined) {
          checkName(change.name);
          if (variablesIn(file.collections[v.variableCollectionId]).some((o) => o !== v && o.name === change.name))
            refuse(`Variable "${change.name}" already exists`);
          v.name = change.name;
        }
        for (const field of ['description', 'hiddenFromPublishing', 'scopes', 'codeSyntax'])
          if (change[field] !== undefined) v[field] = change[field];
      } else {
        const c = file.collections[v.variableCollectionId];
        c.variableIds = c.variableIds.filter((id) => id !== v.id);
        // Figma keeps a deleted variable that something still aliases, flagged.
        const referenced = Object.values(file.variables).some((o) => o !== v && Object.values(o.valuesByMode).some((x) => isAlias(x) && x.id === v.id));
        if (referenced) v.deletedButReferenced = true;
        else delete file.variables[v.id];
      }
    }
  }

  for (const [i, mv] of (body.variableModeValues ?? []).entries()) {
    const where = `variableModeValues[${i}]`;
    const v = resolveVariable(mv.variableId);
    if (!v || v.deletedButReferenced) refuse(`${where}: variable ${mv.variableId} not found`);
    const c = file.collections[v.variableCollectionId];
    const modeId = real(mv.modeId);
    if (!c.modes.some((m) => m.modeId === modeId)) refuse(`${where}: mode ${mv.modeId} is not a mode of collection ${c.name}`);
    v.valuesByMode[modeId] = checkValue(v, mv.value, resolveVariable, where);
  }

  // No alias cycles, per mode, over the whole file.
  for (const start of Object.values(file.variables)) {
    for (const modeId of Object.keys(start.valuesByMode)) {
      const seen = new Set();
      let v = start;
      while (v && isAlias(v.valuesByMode[modeId])) {
        if (seen.has(v.id)) refuse(`Alias cycle through variable ${v.name}`);
        seen.add(v.id);
        v = file.variables[v.valuesByMode[modeId].id];
      }
    }
  }
  return Object.fromEntries(temp);
}

// --- HTTP ------------------------------------------------------------------------------------
function send(res, status, json, headers = {}) {
  const body = JSON.stringify(json);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(body), ...headers });
  res.end(body);
}
const figmaError = (res, status, message, headers) => send(res, status, { status, error: true, message }, headers);

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function getLocal(fileKey) {
  const file = fileFor(fileKey);
  return { status: 200, error: false, meta: { variables: file.variables, variableCollections: file.collections } };
}

async function handle(req, res) {
  const url = new URL(req.url, 'http://127.0.0.1');
  const raw = await readBody(req);
  let m;

  if (req.method === 'PUT' && (m = url.pathname.match(/^\/__state\/([^/]+)$/))) {
    const meta = JSON.parse(raw.toString('utf8'));
    const file = emptyFile();
    file.collections = structuredClone(meta.variableCollections ?? {});
    file.variables = structuredClone(meta.variables ?? {});
    // New ids must not collide with seeded ones ("VariableID:1:7" → 7).
    for (const id of [...Object.keys(file.collections), ...Object.keys(file.variables)])
      file.counter = Math.max(file.counter, Number(id.split(':').pop()) || 0);
    files.set(decodeURIComponent(m[1]), file);
    return send(res, 200, { ok: true });
  }
  if (req.method === 'GET' && url.pathname === '/__log') return send(res, 200, log);
  if (req.method === 'POST' && url.pathname === '/__faults') {
    faults.push(...JSON.parse(raw.toString('utf8')));
    return send(res, 200, { queued: faults.length });
  }

  const local = url.pathname.match(/^\/v1\/files\/([^/]+)\/variables\/local$/);
  const post = url.pathname.match(/^\/v1\/files\/([^/]+)\/variables$/);
  if (!(req.method === 'GET' && local) && !(req.method === 'POST' && post)) return figmaError(res, 404, 'Not found');
  const fileKey = decodeURIComponent((local ?? post)[1]);

  // Every payload is checked against the schema, also when a fault or a bad token answers it.
  let entry = null;
  let body = null;
  if (post) {
    entry = { fileKey, bytes: raw.length, valid: false, errors: [], status: 0, body: null, tempIdToRealId: null };
    log.push(entry);
    try {
      body = JSON.parse(raw.toString('utf8'));
      entry.body = body;
      entry.valid = validate(body);
      entry.errors = entry.valid ? [] : validate.errors.slice(0, 20).map((e) => `${e.instancePath || '/'} ${e.message}`);
    } catch (e) {
      entry.errors = [`not JSON: ${e.message}`];
    }
  }
  const answer = (status, json, headers) => {
    if (entry) entry.status = status;
    send(res, status, json, headers);
  };

  if (req.headers['x-figma-token'] !== TOKEN || !TOKEN)
    return answer(403, { status: 403, error: true, message: 'Invalid token' });
  if (process.env.FAKE_FIGMA_DEBUG) console.error('fake_figma:', req.method, url.pathname, JSON.stringify(faults));
  const faultIndex = faults.findIndex((f) => !f.method || f.method === req.method);
  const fault = faultIndex < 0 ? null : faults[faultIndex];
  if (fault && fault.skip > 0) fault.skip--;
  else if (fault) {
    const f = faults.splice(faultIndex, 1)[0];
    const headers = f.retryAfter !== undefined ? { 'Retry-After': String(f.retryAfter) } : {};
    return answer(f.status, { status: f.status, error: true, message: f.message ?? `Injected fault ${f.status}` }, headers);
  }
  if (!files.has(fileKey)) return answer(404, { status: 404, error: true, message: 'File not found' });
  if (local) return answer(200, getLocal(fileKey));

  if (raw.length > MAX_BODY_BYTES)
    return answer(413, { status: 413, error: true, message: `Request body too large: ${raw.length} bytes (limit ${MAX_BODY_BYTES})` });
  if (!entry.valid)
    return answer(400, { status: 400, error: true, message: `Invalid request body: ${entry.errors.join('; ')}` });
  // Atomic: work on a copy, keep it only when every change applied.
  const current = fileFor(fileKey);
  const copy = structuredClone(current);
  try {
    const map = apply(copy, body);
    files.set(fileKey, copy);
    entry.tempIdToRealId = map;
    return answer(200, { status: 200, error: false, meta: { tempIdToRealId: map } });
  } catch (e) {
    if (!(e instanceof Refusal)) throw e;
    return answer(e.status, { status: e.status, error: true, message: e.message });
  }
}

const server = http.createServer((req, res) => {
  handle(req, res).catch((e) => {
    if (!res.headersSent) figmaError(res, 500, `fake_figma: ${e.message}`);
  });
});
server.listen(Number(process.env.PORT || 0), '127.0.0.1', () => {
  console.log(`LISTENING ${server.address().port}`);
});
const stop = () => {
  server.close(() => process.exit(0));
  server.closeAllConnections?.();
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
