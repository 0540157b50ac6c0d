#!/usr/bin/env node
// Evaluates SyncPilot's flagd export with the real OpenFeature peer, @openfeature/flagd-core (the
// evaluator inside flagd's in-process providers), so run_interop.sh can diff it against
// `syncpilot-cli flag eval KEY --keys-file FILE`.
//
//   node flagd_core_eval.mjs [--schema-dir DIR] FLAGD_JSON --list-flags
//   node flagd_core_eval.mjs [--schema-dir DIR] FLAGD_JSON KEYS_FILE FLAG            # lines to stdout
//   node flagd_core_eval.mjs [--schema-dir DIR] FLAGD_JSON KEYS_FILE --out-dir DIR [FLAG...]
//                                                  # DIR/FLAG.tsv for each FLAG (default: every flag)
//
// Output lines are "targetingKey<TAB>on|off" (on iff the resolved value is true), in keys-file
// order, exactly like the CLI. A keys-file line is "targetingKey[<TAB>name=value]..." and is read
// the way the CLI reads it (UTF-8, optional BOM, CRLF tolerated, blank lines skipped).
//
// Anything that would let a broken export pass silently is an error (exit 1): a schema violation
// (--schema-dir: flagd's own flags.json/targeting.json, draft-07, checked with Ajv; without it,
// flagd-core's built-in validator still runs and its complaints are fatal), a resolution with
// reason ERROR or an error code, a DEFAULT fallback (our targeting always yields a variant), a
// non-boolean value, and anything flagd-core logs while loading or evaluating, except the one
// message JSONLogic's starts_with/ends_with give for a missing attribute (null), which is the
// documented semantics SyncPilot mirrors.
import { FlagdCore } from '@openfeature/flagd-core';
import fs from 'node:fs';
import path from 'node:path';

const USAGE = 'usage: flagd_core_eval.mjs [--schema-dir DIR] FLAGD_JSON (--list-flags | KEYS_FILE FLAG | KEYS_FILE --out-dir DIR [FLAG...])';

function die(message, code = 1) {
    process.stderr.write(`flagd_core_eval: ${message}\n`);
    process.exit(code);
}

// --- arguments ----------------------------------------------------------------------------------
const positional = [];
let schemaDir = null;
let outDir = null;
let listFlags = false;
{
    const argv = process.argv.slice(2);
    for (let i = 0; i < argv.length; ++i) {
        const a = argv[i];
        if (a === '--schema-dir' || a === '--out-dir') {
            if (i + 1 >= argv.length)
                die(`${a} needs a value\n${USAGE}`, 2);
            if (a === '--schema-dir')
                schemaDir = argv[++i];
            else
                outDir = argv[++i];
        } else if (a === '--list-flags') {
            listFlags = true;
        } else if (a.startsWith('--')) {
            die(`unknown option ${a}\n${USAGE}`, 2);
        } else {
            positional.push(a);
        }
    }
}
if (positional.length < 1)
    die(USAGE, 2);
const flagdPath = positional[0];

// --- load and validate the export ---------------------------------------------------------------
let flagdText;
try {
    flagdText = fs.readFileSync(flagdPath, 'utf8');
} catch (e) {
    die(`cannot read ${flagdPath}: ${e.message}`);
}
let flagdJson;
try {
    flagdJson = JSON.parse(flagdText);
} catch (e) {
    die(`${flagdPath} is not JSON: ${e.message}`);
}

if (schemaDir) {
    // Ajv is only needed for this check; load it lazily so plain evaluation has one dependency.
    const { default: Ajv } = await import('ajv');
    const readSchema = (name) => JSON.parse(fs.readFileSync(path.join(schemaDir, name), 'utf8'));
    const ajv = new Ajv({ allErrors: true, strict: false });
    // flags.json refers to "./targeting.json", which resolves against its $id to targeting.json's $id.
    ajv.addSchema(readSchema('targeting.json'));
    const validate = ajv.compile(readSchema('flags.json'));
    if (!validate(flagdJson)) {
        // anyOf/oneOf report every alternative; the deepest distinct errors name the actual cause.
        const lines = [...new Set(validate.errors.map((e) => `  ${e.instancePath || '/'}: ${e.message} ${JSON.stringify(e.params)}`))];
        const depth = (line) => line.split(':')[0].split('/').length;
        lines.sort((a, b) => depth(b) - depth(a));
        die(`${flagdPath} does not satisfy flagd's schema (${path.join(schemaDir, 'flags.json')}); deepest errors first:\n${lines.slice(0, 12).join('\n')}`);
    }
}

// Every message flagd-core logs is kept; see the header for the single tolerated one.
const TOLERATED = 'Invalid comparison configuration: array values are not strings';
let logged = [];
const record = (level) => (...args) => {
    const text = args.map((a) => (typeof a === 'string' ? a : a instanceof Error ? a.message : JSON.stringify(a))).join(' ');
    if (!(level === 'debug' && text === TOLERATED))
        logged.push(`${level}: ${text.length > 600 ? `${text.slice(0, 600)} …` : text}`);
};
const logger = { error: record('error'), warn: record('warn'), info: record('info'), debug: record('debug') };

const core = new FlagdCore(undefined, logger);
try {
    core.setConfigurations(flagdText);
} catch (e) {
    die(`flagd-core refused ${flagdPath}: ${e.message}${e.cause ? ` (${e.cause.message ?? e.cause})` : ''}`);
}
if (logged.length > 0)
    die(`flagd-core complained while loading ${flagdPath}:\n  ${logged.slice(0, 20).join('\n  ')}`);
const allFlags = [...core.getFlags().keys()];

if (listFlags) {
    process.stdout.write(allFlags.map((k) => `${k}\n`).join(''));
    process.exit(0);
}

// --- keys file ----------------------------------------------------------------------------------
if (positional.length < 2)
    die(USAGE, 2);
const keysPath = positional[1];
const flags = positional.slice(2);
if (outDir === null && flags.length !== 1)
    die(`give exactly one FLAG, or --out-dir DIR\n${USAGE}`, 2);
if (flags.length === 0)
    flags.push(...allFlags);

function readKeysFile(file) {
    let raw;
    try {
        raw = fs.readFileSync(file);
    } catch (e) {
        die(`cannot read keys file ${file}: ${e.message}`, 3);
    }
    let text;
    try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(raw); // also drops a leading BOM
    } catch {
        die(`${file}: not valid UTF-8`, 3);
    }
    const attrRe = /^([A-Za-z_][A-Za-z0-9_]{0,63})=(.*)$/s;
    const lines = text.split('\n');
    if (lines.length > 0 && lines[lines.length - 1] === '')
        lines.pop();
    const entries = [];
    lines.forEach((line, i) => {
        if (line.endsWith('\r'))
            line = line.slice(0, -1);
        if (line.trim() === '')
            return;
        const [key, ...fields] = line.split('\t');
        const attributes = {};
        for (const f of fields) {
            const m = attrRe.exec(f);
            if (!m)
                die(`${file}:${i + 1}: attribute "${f}" is not name=value`, 3);
            attributes[m[1]] = m[2];
        }
        entries.push({ key, attributes });
    });
    if (entries.length === 0)
        die(`keys file ${file} is empty`, 3);
    return entries;
}
const entries = readKeysFile(keysPath);

// --- evaluate -----------------------------------------------------------------------------------
function evaluateFlag(flagKey) {
    const flag = core.getFlag(flagKey);
    if (!flag)
        die(`flag ${flagKey} is not in ${flagdPath}`);
    const out = [];
    for (const { key, attributes } of entries) {
        logged = [];
        const context = { ...attributes, targetingKey: key };
        const r = core.resolveBooleanEvaluation(flagKey, false, context);
        let problem = null;
        if (r.reason === 'ERROR' || r.errorCode)
            problem = `reason ${r.reason}, error ${r.errorCode}: ${r.errorMessage}`;
        else if (r.reason !== 'STATIC' && r.reason !== 'TARGETING_MATCH')
            problem = `unexpected reason ${r.reason} (the export never relies on a default)`;
        else if (typeof r.value !== 'boolean')
            problem = `non-boolean value ${JSON.stringify(r.value)}`;
        else if (r.variant !== (r.value ? 'on' : 'off'))
            problem = `variant ${r.variant} does not match value ${r.value}`;
        else if (logged.length > 0)
            problem = `flagd-core logged: ${logged.slice(0, 5).join(' | ')}`;
        if (problem)
            die(`flag ${flagKey}, targeting key ${JSON.stringify(key)}: ${problem}`);
        out.push(`${key}\t${r.value === true ? 'on' : 'off'}\n`);
    }
    return out.join('');
}

if (outDir === null) {
    process.stdout.write(evaluateFlag(flags[0]));
} else {
    fs.mkdirSync(outDir, { recursive: true });
    for (const flagKey of flags)
        fs.writeFileSync(path.join(outDir, `${flagKey}.tsv`), evaluateFlag(flagKey));
}
