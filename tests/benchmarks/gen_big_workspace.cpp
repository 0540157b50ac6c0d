// gen_big_workspace: builds the workspace the GUI's speed goal is measured on (DESIGN.md §4: "first
// window in ≤ 700 ms on a workspace with 1 million run records and 100 000 audit entries; ≤ 250 MB
// resident"): the demo workspace plus RUNS run records spread over the last 7 days on the demo's
// sync flags (sync and legacy cohorts) and AUDIT audit entries. See README.md next to this file.
//
// Usage: gen_big_workspace PATH|postgresql://… [RUNS] [AUDIT]   (defaults 1000000 100000)

#include "audit/AuditLog.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "demo/DemoWorkspace.h"
#include "flags/FlagStore.h"
#include "metrics/RunRecordStore.h"
#include "workspace/Workspace.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QRandomGenerator>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList args = app.arguments();
    if (args.size() < 2) {
        std::fprintf(stderr, "usage: gen_big_workspace PATH|postgresql://… [RUNS] [AUDIT]\n");
        return 2;
    }
    const qint64 runs = args.size() > 2 ? args.at(2).toLongLong() : 1'000'000;
    const qint64 audits = args.size() > 3 ? args.at(3).toLongLong() : 100'000;
    try {
        QElapsedTimer t;
        t.start();
        auto ws = sp::Workspace::open(args.at(1));
        if (sp::FlagStore(*ws).flags().isEmpty())
            sp::DemoWorkspace::populate(*ws);
        QStringList syncFlags;
        for (const sp::Flag &f : sp::FlagStore(*ws).flags())
            if (f.tags.contains(QStringLiteral("sync")))
                syncFlags << f.key;

        // Run records: evenly over 7 days, ending now, round-robin over flags and 50 targets.
        const QDateTime now = sp::Clock::current().now();
        const QDateTime start = now.addDays(-7);
        const qint64 spanMs = start.msecsTo(now);
        auto *rng = QRandomGenerator::global();
        sp::RunRecordStore store(*ws);
        const qint64 batch = 20'000;
        for (qint64 done = 0; done < runs;) {
            QList<sp::RunRecord> records;
            records.reserve(batch);
            for (qint64 i = 0; i < batch && done < runs; ++i, ++done) {
                sp::RunRecord r;
                r.flagKey = syncFlags.at(done % syncFlags.size());
                r.config = QStringLiteral("bench");
                r.target = QStringLiteral("app-%1").arg(done % 50 + 1, 2, 10, QLatin1Char('0'));
                r.path = (done / 7) % 3 == 0 ? sp::RunPath::Sync : sp::RunPath::Legacy;
                r.startedAt = start.addMSecs(spanMs * done / runs);
                r.durationMs = 80 + rng->bounded(400);
                r.ok = rng->bounded(100) >= 2;
                if (!r.ok)
                    r.errorClass = QStringLiteral("http_5xx");
                r.rowsRead = 209;
                r.apiCalls = 2;
                records << r;
            }
            store.ingest(records);
        }
        std::printf("%lld run records in %lld ms\n", runs, t.restart());

        // Audit entries: flag descriptions edited, in appends of 5 000.
        const sp::ChangeContext ctx = sp::ChangeContext::local(QStringLiteral("cli"), QStringLiteral("speed measurement"));
        for (qint64 done = 0; done < audits;) {
            QList<sp::AuditLog::Change> changes;
            for (int i = 0; i < 5000 && done < audits; ++i, ++done)
                changes << sp::AuditLog::Change{QStringLiteral("flag.update"), QStringLiteral("flag:%1").arg(syncFlags.at(done % syncFlags.size())),
                                                QJsonObject{{QStringLiteral("description"), QStringLiteral("v%1").arg(done)}},
                                                QJsonObject{{QStringLiteral("description"), QStringLiteral("v%1").arg(done + 1)}}};
            ws->write([&] { sp::AuditLog(*ws).appendMany(ctx, changes); });
        }
        std::printf("%lld audit entries in %lld ms\n", audits, t.restart());
    } catch (const sp::Error &e) {
        std::fprintf(stderr, "gen_big_workspace: %s\n", qPrintable(e.message()));
        return 1;
    }
    return 0;
}
