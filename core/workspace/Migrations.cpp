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
    };
    return all;
}

} // namespace sp
