#!/usr/bin/env node
// Time-to-safety probe (tests/benchmarks/time_to_safety/run.sh): a real OpenFeature consumer in its
// own process. It runs @openfeature/server-sdk with @openfeature/flagd-provider in in-process mode
// on the offline file source (the flagd file SyncPilot publishes), exactly as a service would, and
// reports when every given flag evaluates false.
//
//   node provider_watch.mjs --file FLAGD_JSON [--keys N] [--every-ms 5] [--timeout-ms 30000]
//                           [--prewatch-ms N] FLAG...
//
// stdout, one line each, times are Date.now() (epoch ms):
//   READY <ms> flags=<n> keys=<k> on=<flags with at least one key on> sweep_ms=<one sweep>
//   CHANGED <ms>        the provider emitted PROVIDER_CONFIGURATION_CHANGED (it re-read the file)
//   ALL_OFF <ms> sweeps=<n> reasons=<reason:count,...>
// then exit 0. Exit 1 on a timeout (no ALL_OFF within --timeout-ms after READY) or an error, 2 on
// bad usage, 3 when at READY every flag already evaluates false for every key (nothing to measure).
//
// Every evaluation uses default value `true`, so a missing flag or a provider error can never pass
// for "off": only a published off state gives false.
//
// --prewatch-ms N (experiment, not a provider option): the provider's file source calls
// fs.watchFile(path) with Node's default poll interval (5007 ms). Node keeps one StatWatcher per
// resolved path and later fs.watchFile calls share it, so registering a watcher with interval N on
// the same path before the provider connects makes the provider's listener fire at that interval.
import { OpenFeature, ProviderEvents } from '@openfeature/server-sdk';
import { FlagdProvider } from '@openfeature/flagd-provider';
import fs from 'node:fs';
import path from 'node:path';

const USAGE = 'usage: provider_watch.mjs --file FLAGD_JSON [--keys N] [--every-ms 5] [--timeout-ms 30000] [--prewatch-ms N] FLAG...';

function die(message, code = 1) {
    process.stderr.write(`provider_watch: ${message}\n`);
    process.exit(code);
}

// --- arguments ----------------------------------------------------------------------------------
let file = null;
let keyCount = 32;
let everyMs = 5;
let timeoutMs = 30000;
let prewatchMs = 0;
const flags = [];
{
    const argv = process.argv.slice(2);
    const num = (name, v) => {
        const n = Number(v);
        if (!Number.isInteger(n) || n < 0)
            die(`${name}: "${v}" is not a non-negative integer\n${USAGE}`, 2);
        return n;
    };
    for (let i = 0; i < argv.length; ++i) {
        const a = argv[i];
        const value = () => {
            if (i + 1 >= argv.length)
                die(`${a} needs a value\n${USAGE}`, 2);
            return argv[++i];
        };
        if (a === '--file')
            file = path.resolve(value());
        else if (a === '--keys')
            keyCount = num(a, value());
        else if (a === '--every-ms')
            everyMs = num(a, value());
        else if (a === '--timeout-ms')
            timeoutMs = num(a, value());
        else if (a === '--prewatch-ms')
            prewatchMs = num(a, value());
        else if (a.startsWith('--'))
            die(`unknown option ${a}\n${USAGE}`, 2);
        else
            flags.push(a);
    }
    if (!file || flags.length === 0 || keyCount < 1)
        die(USAGE, 2);
}

// --- provider -----------------------------------------------------------------------------------
const logged = [];
const record = (level) => (...args) => logged.push(`${level}: ${args.map((a) => (a instanceof Error ? a.message : String(a))).join(' ')}`);
const logger = { error: record('error'), warn: record('warn'), info: () => {}, debug: () => {} };

if (prewatchMs > 0)
    fs.watchFile(file, { interval: prewatchMs, persistent: false }, () => {});

let changedAt = null;
OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, () => {
    const now = Date.now();
    if (changedAt === null)
        changedAt = now;
    process.stdout.write(`CHANGED ${now}\n`);
});
OpenFeature.addHandler(ProviderEvents.Error, (e) => process.stderr.write(`provider_watch: provider error: ${e?.message ?? ''}\n`));

const provider = new FlagdProvider({ resolverType: 'in-process', offlineFlagSourcePath: file }, logger);
try {
    await OpenFeature.setProviderAndWait(provider);
} catch (e) {
    die(`the flagd provider did not become ready on ${file}: ${e?.message ?? e}${logged.length ? `\n  ${logged.join('\n  ')}` : ''}`);
}
const client = OpenFeature.getClient('time-to-safety');

const contexts = Array.from({ length: keyCount }, (_, i) => ({ targetingKey: `tts-user-${String(i).padStart(4, '0')}` }));

// One sweep: every flag for every key. Returns how many flags have at least one key on, and the
// reasons seen. A resolution error counts as on (its value is the default, true).
async function sweep() {
    let flagsOn = 0;
    const reasons = new Map();
    for (const flag of flags) {
        let on = false;
        for (const ctx of contexts) {
            const d = await client.getBooleanDetails(flag, true, ctx);
            const reason = d.errorCode ? `ERROR(${d.errorCode})` : d.reason;
            reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
            if (d.value !== false)
                on = true;
        }
        if (on)
            ++flagsOn;
    }
    return { flagsOn, reasons };
}
const reasonText = (m) => [...m].map(([r, n]) => `${r}:${n}`).join(',');

const t = performance.now();
const first = await sweep();
const sweepMs = performance.now() - t;
if (first.flagsOn === 0)
    die(`every flag already evaluates false for every key at READY (reasons ${reasonText(first.reasons)}); nothing to measure`, 3);
if (first.reasons.has('ERROR(FLAG_NOT_FOUND)'))
    die(`some flags are not in ${file} (reasons ${reasonText(first.reasons)})`);
process.stdout.write(`READY ${Date.now()} flags=${flags.length} keys=${keyCount} on=${first.flagsOn} sweep_ms=${sweepMs.toFixed(1)}\n`);

const deadline = Date.now() + timeoutMs;
let sweeps = 0;
for (;;) {
    const r = await sweep();
    ++sweeps;
    if (r.flagsOn === 0) {
        process.stdout.write(`ALL_OFF ${Date.now()} sweeps=${sweeps} reasons=${reasonText(r.reasons)}\n`);
        break;
    }
    if (Date.now() > deadline) {
        die(`timeout: ${r.flagsOn} of ${flags.length} flags still on for some key ${timeoutMs} ms after READY` +
            ` (configuration changed: ${changedAt ?? 'never'})${logged.length ? `\n  ${logged.join('\n  ')}` : ''}`);
    }
    // Yield to the event loop so the file watcher's callback can run between sweeps.
    await new Promise((resolve) => setTimeout(resolve, everyMs));
}
// Don't wait for OpenFeature.close(): the stat watcher is persistent and the answer is printed.
process.exit(0);
