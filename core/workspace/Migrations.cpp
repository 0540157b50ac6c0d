#include "Migrations.h"

namespace sp {

// Never edit a migration that has shipped: add a new one. Types are kept portable (TEXT, INTEGER,
// BIGINT; times as ISO-8601 UTC text) so one set of statements serves SQLite and PostgreSQL.
const QList<Migration> &migrations()
{
    static const QList<Migration> all = {
        {1,
         QStringLiteral("flags, segments, workspace meta, chained audit log"),
         {
             QStringLiteral("CREATE TABLE workspace_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE flags ("
                            " key TEXT PRIMARY KEY,"
                            " description TEXT NOT NULL DEFAULT '',"
                            " tags TEXT NOT NULL DEFAULT '[]',"
                            " enabled INTEGER NOT NULL DEFAULT 0 CHECK (enabled IN (0, 1)),"
                            " percent_tenths INTEGER NOT NULL DEFAULT 0 CHECK (percent_tenths BETWEEN 0 AND 1000),"
                            " version BIGINT NOT NULL DEFAULT 1,"
                            " created_at TEXT NOT NULL,"
                            " updated_at TEXT NOT NULL,"
                            " updated_by TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE TABLE flag_prerequisites ("
                            " flag_key TEXT NOT NULL REFERENCES flags(key) ON DELETE CASCADE,"
                            " requires_key TEXT NOT NULL REFERENCES flags(key),"
                            " PRIMARY KEY (flag_key, requires_key))"),
             QStringLiteral("CREATE TABLE segments ("
                            " name TEXT PRIMARY KEY,"
                            " description TEXT NOT NULL DEFAULT '',"
                            " rules TEXT NOT NULL DEFAULT '[]',"
                            " version BIGINT NOT NULL DEFAULT 1,"
                            " created_at TEXT NOT NULL,"
                            " updated_at TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE segment_keys ("
                            " segment TEXT NOT NULL REFERENCES segments(name) ON DELETE CASCADE,"
                            " targeting_key TEXT NOT NULL,"
                            " PRIMARY KEY (segment, targeting_key))"),
             QStringLiteral("CREATE TABLE flag_segments ("
                            " flag_key TEXT NOT NULL REFERENCES flags(key) ON DELETE CASCADE,"
                            " segment TEXT NOT NULL REFERENCES segments(name),"
                            " mode TEXT NOT NULL CHECK (mode IN ('include', 'exclude')),"
                            " PRIMARY KEY (flag_key, segment, mode))"),
             QStringLiteral("CREATE TABLE audit_log ("
                            " seq BIGINT PRIMARY KEY,"
                            " at TEXT NOT NULL,"
                            " actor TEXT NOT NULL,"
                            " account TEXT NOT NULL DEFAULT '',"
                            " action TEXT NOT NULL,"
                            " object TEXT NOT NULL,"
                            " before_json TEXT NOT NULL,"
                            " after_json TEXT NOT NULL,"
                            " reason TEXT NOT NULL DEFAULT '',"
                            " source TEXT NOT NULL,"
                            " prev_hash TEXT NOT NULL,"
                            " hash TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX audit_log_at ON audit_log (at)"),
             QStringLiteral("CREATE INDEX audit_log_object ON audit_log (object)"),
             // The chain head is kept apart from the entries so that deleting the newest entries
             // is detected too, not only edits and gaps.
             QStringLiteral("CREATE TABLE audit_head (id INTEGER PRIMARY KEY CHECK (id = 1),"
                            " seq BIGINT NOT NULL, hash TEXT NOT NULL)"),
             QStringLiteral("INSERT INTO workspace_meta (name, value) VALUES ('revision', '0')"),
             QStringLiteral("INSERT INTO workspace_meta (name, value) VALUES ('kill_switch', 'off')"),
         },
         {},
         {}},
        // {id} becomes an auto-numbered primary key (SQLite rowid alias / PostgreSQL identity).
        {2,
         QStringLiteral("rollout control plane: run records and minute buckets, sync configs, rollouts, guardrails, "
                        "decision ledger, rollback snapshots, webhooks"),
         {
             QStringLiteral("CREATE TABLE metric_buckets ("
                            " flag_key TEXT NOT NULL,"
                            " cohort TEXT NOT NULL CHECK (cohort IN ('legacy', 'sync', 'shadow')),"
                            " minute BIGINT NOT NULL,"
                            " runs INTEGER NOT NULL DEFAULT 0,"
                            " errors INTEGER NOT NULL DEFAULT 0,"
                            " critical INTEGER NOT NULL DEFAULT 0,"
                            " mismatches INTEGER NOT NULL DEFAULT 0,"
                            " http429 INTEGER NOT NULL DEFAULT 0,"
                            " retries INTEGER NOT NULL DEFAULT 0,"
                            " latency_sum_ms BIGINT NOT NULL DEFAULT 0,"
                            " latency_hist TEXT NOT NULL DEFAULT '',"
                            " PRIMARY KEY (flag_key, cohort, minute))"),
             QStringLiteral("CREATE TABLE run_records ("
                            " id {id},"
                            " flag_key TEXT NOT NULL,"
                            " config TEXT NOT NULL DEFAULT '',"
                            " target TEXT NOT NULL DEFAULT '',"
                            " path TEXT NOT NULL CHECK (path IN ('legacy', 'sync', 'shadow')),"
                            " started_ms BIGINT NOT NULL,"
                            " duration_ms BIGINT NOT NULL,"
                            " ok INTEGER NOT NULL,"
                            " error_class TEXT NOT NULL DEFAULT '',"
                            " critical INTEGER NOT NULL DEFAULT 0,"
                            " rows_read INTEGER NOT NULL DEFAULT 0,"
                            " vars_created INTEGER NOT NULL DEFAULT 0,"
                            " vars_updated INTEGER NOT NULL DEFAULT 0,"
                            " vars_deleted INTEGER NOT NULL DEFAULT 0,"
                            " api_calls INTEGER NOT NULL DEFAULT 0,"
                            " retries INTEGER NOT NULL DEFAULT 0,"
                            " http429 INTEGER NOT NULL DEFAULT 0,"
                            " mismatches INTEGER NOT NULL DEFAULT 0,"
                            " rehearsal INTEGER NOT NULL DEFAULT 0)"),
             QStringLiteral("CREATE TABLE sync_configs ("
                            " name TEXT PRIMARY KEY,"
                            " flag_key TEXT NOT NULL DEFAULT '',"
                            " mode TEXT NOT NULL DEFAULT 'legacy' CHECK (mode IN ('legacy', 'sync', 'hybrid')),"
                            " settings TEXT NOT NULL DEFAULT '{}',"
                            " fallback_reason TEXT NOT NULL DEFAULT '',"
                            " version BIGINT NOT NULL DEFAULT 1,"
                            " created_at TEXT NOT NULL,"
                            " updated_at TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE rollouts ("
                            " id {id},"
                            " flag_key TEXT NOT NULL REFERENCES flags(key),"
                            " plan TEXT NOT NULL,"
                            " template TEXT NOT NULL DEFAULT '',"
                            " state TEXT NOT NULL CHECK (state IN ('draft', 'running', 'paused', 'completed', 'rolled_back', 'aborted')),"
                            " phase_index INTEGER NOT NULL DEFAULT 0,"
                            " phase_started_at TEXT NOT NULL,"
                            " started_at TEXT NOT NULL,"
                            " updated_at TEXT NOT NULL,"
                            " state_reason TEXT NOT NULL DEFAULT '',"
                            " version BIGINT NOT NULL DEFAULT 1)"),
             QStringLiteral("CREATE TABLE guardrails ("
                            " id {id},"
                            " flag_key TEXT NOT NULL DEFAULT '',"
                            " name TEXT NOT NULL,"
                            " definition TEXT NOT NULL,"
                            " enabled INTEGER NOT NULL DEFAULT 1)"),
             QStringLiteral("CREATE TABLE guardrail_state ("
                            " rollout_id BIGINT NOT NULL,"
                            " guardrail TEXT NOT NULL,"
                            " consecutive_breaches INTEGER NOT NULL DEFAULT 0,"
                            " last_evaluated_at TEXT NOT NULL,"
                            " PRIMARY KEY (rollout_id, guardrail))"),
             QStringLiteral("CREATE TABLE decisions ("
                            " id {id},"
                            " at TEXT NOT NULL,"
                            " flag_key TEXT NOT NULL DEFAULT '',"
                            " rollout_id BIGINT NOT NULL DEFAULT 0,"
                            " kind TEXT NOT NULL,"
                            " automatic INTEGER NOT NULL,"
                            " actor TEXT NOT NULL,"
                            " source TEXT NOT NULL,"
                            " summary TEXT NOT NULL,"
                            " evidence TEXT NOT NULL DEFAULT '{}')"),
             QStringLiteral("CREATE TABLE snapshots ("
                            " id {id},"
                            " at TEXT NOT NULL,"
                            " kind TEXT NOT NULL,"
                            " reason TEXT NOT NULL DEFAULT '',"
                            " actor TEXT NOT NULL,"
                            " before_state TEXT NOT NULL,"
                            " after_state TEXT NOT NULL,"
                            " restored_at TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE TABLE webhooks ("
                            " id {id},"
                            " url TEXT NOT NULL,"
                            " format TEXT NOT NULL DEFAULT 'json' CHECK (format IN ('json', 'slack')),"
                            " enabled INTEGER NOT NULL DEFAULT 1,"
                            " created_at TEXT NOT NULL)"),
             QStringLiteral("CREATE INDEX run_records_flag_time ON run_records (flag_key, started_ms)"),
             QStringLiteral("CREATE INDEX run_records_time ON run_records (started_ms)"),
             QStringLiteral("CREATE UNIQUE INDEX rollouts_one_active ON rollouts (flag_key) WHERE state IN ('draft', 'running', 'paused')"),
             QStringLiteral("CREATE INDEX decisions_flag ON decisions (flag_key, id)"),
         },
         {},
         {}},
        // Coarser buckets over metric_buckets, so a 24-hour window reads ~25 rows instead of
        // 1 440 (guardrails over 24 h for 20 flags in <= 20 ms). Written with the minute buckets
        // by RunRecordStore::ingest in the same transaction. No backfill is needed: nothing wrote
        // metric_buckets before this migration.
        {3,
         QStringLiteral("metric rollups: 10-minute, hourly, 6-hourly and daily buckets"),
         {
             QStringLiteral("CREATE TABLE metric_rollups ("
                            " flag_key TEXT NOT NULL,"
                            " cohort TEXT NOT NULL CHECK (cohort IN ('legacy', 'sync', 'shadow')),"
                            " span_minutes INTEGER NOT NULL CHECK (span_minutes IN (10, 60, 360, 1440)),"
                            " start_minute BIGINT NOT NULL,"
                            " runs INTEGER NOT NULL DEFAULT 0,"
                            " errors INTEGER NOT NULL DEFAULT 0,"
                            " critical INTEGER NOT NULL DEFAULT 0,"
                            " mismatches INTEGER NOT NULL DEFAULT 0,"
                            " http429 INTEGER NOT NULL DEFAULT 0,"
                            " retries INTEGER NOT NULL DEFAULT 0,"
                            " latency_sum_ms BIGINT NOT NULL DEFAULT 0,"
                            " latency_hist TEXT NOT NULL DEFAULT '',"
                            " PRIMARY KEY (flag_key, cohort, span_minutes, start_minute))"),
         },
         {},
         {}},
        // The sync engine's state (issue 4): the targets of each config, the collection each was
        // last synced to (shared by content hash: 50 targets of one config store it once), the
        // content a target had before each write (undo), the variables a hybrid comparison found
        // different, and the per-config counters hybrid mode's fallback and proof of consistency
        // read. Contents are stored as base64 text so both engines keep the exact bytes.
        {4,
         QStringLiteral("sync engine: targets, synced states, backups for undo, mismatches, hybrid counters"),
         {
             QStringLiteral("CREATE TABLE sync_targets ("
                            " config TEXT NOT NULL REFERENCES sync_configs(name) ON DELETE CASCADE,"
                            " target_id TEXT NOT NULL,"
                            " kind TEXT NOT NULL CHECK (kind IN ('dtcg', 'figma')),"
                            " location TEXT NOT NULL,"
                            " state TEXT NOT NULL DEFAULT 'new',"
                            " last_path TEXT NOT NULL DEFAULT '',"
                            " last_hash TEXT NOT NULL DEFAULT '',"
                            " last_error TEXT NOT NULL DEFAULT '',"
                            " last_run_at TEXT NOT NULL DEFAULT '',"
                            " PRIMARY KEY (config, target_id))"),
             QStringLiteral("CREATE TABLE sync_states ("
                            " config TEXT NOT NULL REFERENCES sync_configs(name) ON DELETE CASCADE,"
                            " hash TEXT NOT NULL,"
                            " content TEXT NOT NULL,"
                            " created_at TEXT NOT NULL,"
                            " PRIMARY KEY (config, hash))"),
             // Backups name their content: the 50 targets of a config usually held the same bytes.
             QStringLiteral("CREATE TABLE sync_blobs ("
                            " id {id},"
                            " content TEXT NOT NULL)"),
             QStringLiteral("CREATE TABLE sync_backups ("
                            " id {id},"
                            " config TEXT NOT NULL,"
                            " target_id TEXT NOT NULL,"
                            " taken_at TEXT NOT NULL,"
                            " existed INTEGER NOT NULL,"
                            " blob_id BIGINT NOT NULL REFERENCES sync_blobs(id))"),
             QStringLiteral("CREATE INDEX sync_backups_target ON sync_backups (config, target_id, id)"),
             QStringLiteral("CREATE TABLE sync_mismatches ("
                            " id {id},"
                            " config TEXT NOT NULL,"
                            " target_id TEXT NOT NULL,"
                            " run_at TEXT NOT NULL,"
                            " variable TEXT NOT NULL,"
                            " legacy_value TEXT NOT NULL DEFAULT '',"
                            " sync_value TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE INDEX sync_mismatches_config ON sync_mismatches (config, id)"),
             QStringLiteral("CREATE TABLE sync_config_state ("
                            " config TEXT PRIMARY KEY REFERENCES sync_configs(name) ON DELETE CASCADE,"
                            " runs INTEGER NOT NULL DEFAULT 0,"
                            " mismatching_in_row INTEGER NOT NULL DEFAULT 0,"
                            " consistent_in_row INTEGER NOT NULL DEFAULT 0,"
                            " last_run_at TEXT NOT NULL DEFAULT '',"
                            " last_outcome TEXT NOT NULL DEFAULT '',"
                            " last_source_hash TEXT NOT NULL DEFAULT '')"),
         },
         {},
         {}},
        // The circuit breakers of the process that runs the sync engine, published so every console
        // can show them (issue 5: Overview, Health): the current state per upstream, and an event
        // for each change of state (the Health chart's breaker band). Written only on changes.
        {5,
         QStringLiteral("published circuit breaker states and their changes"),
         {
             QStringLiteral("CREATE TABLE breaker_states ("
                            " upstream TEXT PRIMARY KEY,"
                            " state TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),"
                            " failures INTEGER NOT NULL DEFAULT 0,"
                            " since TEXT NOT NULL,"
                            " updated_at TEXT NOT NULL,"
                            " last_error TEXT NOT NULL DEFAULT '',"
                            " publisher TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE TABLE breaker_events ("
                            " id {id},"
                            " at TEXT NOT NULL,"
                            " upstream TEXT NOT NULL,"
                            " state TEXT NOT NULL CHECK (state IN ('closed', 'open', 'half_open')),"
                            " last_error TEXT NOT NULL DEFAULT '')"),
             QStringLiteral("CREATE INDEX breaker_events_at ON breaker_events (at, id)"),
         },
         {},
         {}},
    };
    return all;
}

} // namespace sp
