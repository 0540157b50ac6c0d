#include "Guardrail.h"

#include "RolloutPlan.h"
#include "common/Clock.h"
#include "common/Error.h"
#include "flags/Flag.h"
#include "workspace/Workspace.h"

#include <QJsonDocument>
#include <QMap>
#include <QRegularExpression>
#include <QSqlQuery>

#include <cmath>

namespace sp {

namespace {

struct MetricInfo
{
    GuardrailMetric metric;
    const char *name;
};
const MetricInfo kMetrics[] = {
    {GuardrailMetric::ErrorRate, "error_rate"}, {GuardrailMetric::CriticalErrors, "critical"},
    {GuardrailMetric::Mismatches, "mismatches"}, {GuardrailMetric::LatencyP50, "p50"},
    {GuardrailMetric::LatencyP95, "p95"},        {GuardrailMetric::LatencyP99, "p99"},
    {GuardrailMetric::Rate429, "rate_429"},
};
const char *const kActions[] = {"warn", "pause", "rollback", "kill"};

bool isRate(GuardrailMetric m) { return m == GuardrailMetric::ErrorRate || m == GuardrailMetric::Rate429; }
bool isLatency(GuardrailMetric m)
{
    return m == GuardrailMetric::LatencyP50 || m == GuardrailMetric::LatencyP95 || m == GuardrailMetric::LatencyP99;
}

double metricOf(GuardrailMetric m, const WindowStats &s)
{
    switch (m) {
    case GuardrailMetric::ErrorRate: return s.errorRate();
    case GuardrailMetric::CriticalErrors: return double(s.critical);
    case GuardrailMetric::Mismatches: return double(s.mismatches);
    case GuardrailMetric::LatencyP50: return s.p50Ms;
    case GuardrailMetric::LatencyP95: return s.p95Ms;
    case GuardrailMetric::LatencyP99: return s.p99Ms;
    case GuardrailMetric::Rate429: return s.rate429();
    }
    return 0;
}

QString number(double v)
{
    return QString::number(v, 'f', std::abs(v - std::round(v)) < 1e-9 ? 0 : 1);
}

} // namespace

QString Guardrail::metricName(GuardrailMetric m)
{
    for (const auto &i : kMetrics)
        if (i.metric == m)
            return QString::fromLatin1(i.name);
    return {};
}

QString Guardrail::actionName(GuardrailAction a) { return QString::fromLatin1(kActions[int(a)]); }

QList<Guardrail> Guardrail::defaults()
{
    return {
        parse(QStringLiteral("error-rate"), QStringLiteral("error_rate > 10% window=15m min=20 action=rollback")),
        parse(QStringLiteral("critical-errors"), QStringLiteral("critical >= 3 window=5m action=rollback")),
        parse(QStringLiteral("inconsistency"), QStringLiteral("mismatches >= 1 window=1m action=rollback")),
        parse(QStringLiteral("latency-p95"), QStringLiteral("p95 > 115% legacy window=10m min=20 action=pause")),
    };
}

Guardrail Guardrail::parse(const QString &name, const QString &spec)
{
    const QString where = GuardrailEvaluator::tr("Guardrail %1 (\"%2\")").arg(name, spec);
    if (name.isEmpty() || !QRegularExpression(QStringLiteral("^[a-z][a-z0-9_.-]{0,63}$")).match(name).hasMatch())
        invalid(GuardrailEvaluator::tr("Invalid guardrail name \"%1\": use a-z, 0-9, '_', '.', '-'.").arg(name));
    const QStringList tokens = spec.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
    if (tokens.size() < 3)
        invalid(GuardrailEvaluator::tr("%1: expected METRIC > VALUE [legacy] [window=5m] [min=N] [consecutive=N] [action=warn|pause|rollback|kill].")
                    .arg(where));
    Guardrail g;
    g.name = name;
    bool metricOk = false;
    for (const auto &i : kMetrics)
        if (tokens[0] == QLatin1String(i.name)) {
            g.metric = i.metric;
            metricOk = true;
        }
    if (!metricOk)
        invalid(GuardrailEvaluator::tr("%1: unknown metric \"%2\" (error_rate, critical, mismatches, p50, p95, p99, rate_429).")
                    .arg(where, tokens[0]));
    if (tokens[1] != QLatin1String(">") && tokens[1] != QLatin1String(">="))
        invalid(GuardrailEvaluator::tr("%1: the comparison must be > or >=.").arg(where));
    g.orEqual = tokens[1] == QLatin1String(">=");
    QString value = tokens[2];
    const bool percent = value.endsWith(QLatin1Char('%'));
    if (percent)
        value.chop(1);
    if (value.endsWith(QLatin1String("ms")))
        value.chop(2);
    bool ok = false;
    g.threshold = value.toDouble(&ok);
    if (!ok || g.threshold < 0 || !std::isfinite(g.threshold))
        invalid(GuardrailEvaluator::tr("%1: \"%2\" is not a threshold.").arg(where, tokens[2]));
    if (percent)
        g.threshold /= 100.0;
    g.minSamples = g.isCount() ? 1 : 20;
    for (const QString &t : tokens.mid(3)) {
        if (t == QLatin1String("legacy")) {
            g.relativeToLegacy = true;
            continue;
        }
        const int eq = t.indexOf(QLatin1Char('='));
        const QString key = t.left(eq);
        const QString val = t.mid(eq + 1);
        if (eq < 0) {
            invalid(GuardrailEvaluator::tr("%1: unexpected \"%2\".").arg(where, t));
        } else if (key == QLatin1String("window")) {
            g.windowSeconds = RolloutPlanText::parseDuration(val, where);
        } else if (key == QLatin1String("min") || key == QLatin1String("consecutive")) {
            const int n = val.toInt(&ok);
            if (!ok || n < 1)
                invalid(GuardrailEvaluator::tr("%1: %2 must be a whole number of at least 1.").arg(where, key));
            (key == QLatin1String("min") ? g.minSamples : g.consecutive) = n;
        } else if (key == QLatin1String("action")) {
            bool found = false;
            for (int i = 0; i < 4; ++i)
                if (val == QLatin1String(kActions[i])) {
                    g.action = GuardrailAction(i);
                    found = true;
                }
            if (!found)
                invalid(GuardrailEvaluator::tr("%1: unknown action \"%2\" (warn, pause, rollback, kill).").arg(where, val));
        } else {
            invalid(GuardrailEvaluator::tr("%1: unknown setting \"%2\".").arg(where, key));
        }
    }
    if (g.windowSeconds <= 0)
        invalid(GuardrailEvaluator::tr("%1: the window must be longer than zero.").arg(where));
    if (isRate(g.metric) && !g.relativeToLegacy && g.threshold > 1.0)
        invalid(GuardrailEvaluator::tr("%1: a rate threshold is a fraction or a percentage (e.g. 10%).").arg(where));
    return g;
}

QString Guardrail::toSpec() const
{
    QString value;
    if (relativeToLegacy || isRate(metric))
        value = number(threshold * 100.0) + QLatin1Char('%');
    else
        value = number(threshold) + (isLatency(metric) ? QStringLiteral("ms") : QString());
    QString s = QStringLiteral("%1 %2 %3").arg(metricName(metric), orEqual ? QStringLiteral(">=") : QStringLiteral(">"), value);
    if (relativeToLegacy)
        s += QStringLiteral(" legacy");
    s += QStringLiteral(" window=") + RolloutPlanText::formatDuration(windowSeconds);
    s += QStringLiteral(" min=%1").arg(minSamples);
    if (consecutive > 1)
        s += QStringLiteral(" consecutive=%1").arg(consecutive);
    return s + QStringLiteral(" action=") + actionName(action);
}

QJsonObject Guardrail::toJson() const
{
    return QJsonObject{{QStringLiteral("name"), name}, {QStringLiteral("spec"), toSpec()}, {QStringLiteral("enabled"), enabled}};
}

Guardrail Guardrail::fromJson(const QJsonObject &o)
{
    Guardrail g = parse(o.value(QStringLiteral("name")).toString(), o.value(QStringLiteral("spec")).toString());
    g.enabled = o.value(QStringLiteral("enabled")).toBool(true);
    return g;
}

WindowStats TickWindowSource::window(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const
{
    const Key key{flagKey, int(cohort), from.toMSecsSinceEpoch(), to.toMSecsSinceEpoch()};
    const auto it = m_windows.constFind(key);
    if (it != m_windows.constEnd())
        return *it;
    return *m_windows.insert(key, m_inner.window(flagKey, cohort, from, to));
}

bool TickWindowSource::hasRuns(const QString &flagKey, RunPath cohort, const QDateTime &from, const QDateTime &to) const
{
    const Key key{flagKey, int(cohort), from.toMSecsSinceEpoch(), to.toMSecsSinceEpoch()};
    const auto it = m_present.constFind(key);
    if (it != m_present.constEnd())
        return *it;
    return *m_present.insert(key, m_inner.hasRuns(flagKey, cohort, from, to));
}

QJsonObject GuardrailResult::evidence(const Guardrail &g) const
{
    static const char *const statusNames[] = {"healthy", "breached", "insufficient_data"};
    QJsonObject o{{QStringLiteral("guardrail"), g.name},
                  {QStringLiteral("rule"), g.toSpec()},
                  {QStringLiteral("status"), QString::fromLatin1(statusNames[int(status)])},
                  {QStringLiteral("value"), value},
                  {QStringLiteral("threshold"), effectiveThreshold},
                  {QStringLiteral("samples"), samples},
                  {QStringLiteral("minSamples"), g.minSamples},
                  {QStringLiteral("windowSeconds"), g.windowSeconds},
                  {QStringLiteral("consecutiveBreaches"), consecutiveBreaches}};
    if (g.relativeToLegacy) {
        o.insert(QStringLiteral("legacyValue"), legacyValue);
        o.insert(QStringLiteral("legacySamples"), legacySamples);
    }
    return o;
}

GuardrailResult GuardrailEvaluator::evaluate(const Guardrail &g, const QString &flagKey, const QDateTime &now, int previousBreaches,
                                             const QDateTime &notBefore) const
{
    GuardrailResult r;
    QDateTime from = now.addSecs(-g.windowSeconds);
    if (notBefore.isValid() && notBefore > from)
        from = qMin(notBefore, now);
    const QDateTime to = now.addMSecs(1); // the window includes a run that started exactly now
    WindowStats stats = m_source.window(flagKey, RunPath::Sync, from, to);
    // The sync cohort is every run that took the sync path: written (sync) or computed and
    // compared while legacy was written (shadow, hybrid mode). Their failures and mismatches are
    // the sync path's; counts add up. Percentiles do not: when both cohorts ran, the written
    // path's latency stands for the cohort.
    const WindowStats shadow = m_source.hasRuns(flagKey, RunPath::Shadow, from, to) ? m_source.window(flagKey, RunPath::Shadow, from, to)
                                                                                      : WindowStats{};
    if (shadow.runs > 0) {
        if (stats.runs == 0) {
            stats.p50Ms = shadow.p50Ms;
            stats.p95Ms = shadow.p95Ms;
            stats.p99Ms = shadow.p99Ms;
        }
        stats.runs += shadow.runs;
        stats.errors += shadow.errors;
        stats.critical += shadow.critical;
        stats.mismatches += shadow.mismatches;
        stats.http429 += shadow.http429;
        stats.retries += shadow.retries;
        stats.latencySumMs += shadow.latencySumMs;
    }
    r.samples = stats.runs;
    r.value = metricOf(g.metric, stats);
    r.effectiveThreshold = g.threshold;
    bool enough = r.samples >= g.minSamples;
    if (g.relativeToLegacy) {
        const WindowStats legacy = m_source.window(flagKey, RunPath::Legacy, from, to);
        r.legacySamples = legacy.runs;
        r.legacyValue = metricOf(g.metric, legacy);
        r.effectiveThreshold = g.threshold * r.legacyValue;
        enough = enough && r.legacySamples >= g.minSamples;
    }
    const bool breached = g.orEqual ? r.value >= r.effectiveThreshold : r.value > r.effectiveThreshold;
    if (!enough) {
        r.status = GuardrailResult::Status::InsufficientData;
        r.consecutiveBreaches = 0;
    } else if (breached) {
        r.status = GuardrailResult::Status::Breached;
        r.consecutiveBreaches = previousBreaches + 1;
        r.trips = r.consecutiveBreaches >= g.consecutive;
    } else {
        r.status = GuardrailResult::Status::Healthy;
    }
    return r;
}

QString GuardrailEvaluator::ordinal(int n)
{
    const int mod100 = n % 100;
    const int mod10 = n % 10;
    if (mod100 >= 11 && mod100 <= 13)
        return tr("%1th").arg(n);
    if (mod10 == 1)
        return tr("%1st").arg(n);
    if (mod10 == 2)
        return tr("%1nd").arg(n);
    if (mod10 == 3)
        return tr("%1rd").arg(n);
    return tr("%1th").arg(n);
}

namespace {

QString windowWords(qint64 s)
{
    if (s % 86400 == 0)
        return GuardrailEvaluator::tr("%n day(s)", nullptr, int(s / 86400));
    if (s % 3600 == 0)
        return GuardrailEvaluator::tr("%n hour(s)", nullptr, int(s / 3600));
    if (s % 60 == 0)
        return GuardrailEvaluator::tr("%n minute(s)", nullptr, int(s / 60));
    return GuardrailEvaluator::tr("%n second(s)", nullptr, int(s));
}

QString actionVerb(GuardrailAction a)
{
    switch (a) {
    case GuardrailAction::Warn: return GuardrailEvaluator::tr("Warns");
    case GuardrailAction::Pause: return GuardrailEvaluator::tr("Pauses");
    case GuardrailAction::Rollback: return GuardrailEvaluator::tr("Rolls back");
    case GuardrailAction::Kill: return GuardrailEvaluator::tr("Rolls back everything");
    }
    return {};
}

QString metricWords(GuardrailMetric m)
{
    switch (m) {
    case GuardrailMetric::ErrorRate: return GuardrailEvaluator::tr("the error rate");
    case GuardrailMetric::CriticalErrors: return GuardrailEvaluator::tr("critical error");
    case GuardrailMetric::Mismatches: return GuardrailEvaluator::tr("data inconsistency");
    case GuardrailMetric::LatencyP50: return GuardrailEvaluator::tr("p50 latency");
    case GuardrailMetric::LatencyP95: return GuardrailEvaluator::tr("p95 latency");
    case GuardrailMetric::LatencyP99: return GuardrailEvaluator::tr("p99 latency");
    case GuardrailMetric::Rate429: return GuardrailEvaluator::tr("the 429 rate");
    }
    return {};
}

QString valueWords(const Guardrail &g, double v)
{
    if (isLatency(g.metric))
        return GuardrailEvaluator::tr("%1 ms").arg(number(v));
    if (isRate(g.metric))
        return GuardrailEvaluator::tr("%1 %").arg(number(v * 100.0));
    return number(v);
}

} // namespace

QString GuardrailEvaluator::describeRule(const Guardrail &g)
{
    QString rule;
    if (g.isCount()) {
        // "on the 3rd critical error": the count at which the comparison first holds
        const int nth = g.orEqual ? int(std::ceil(g.threshold)) : int(std::floor(g.threshold)) + 1;
        rule = tr("%1 on the %2 %3 within %4").arg(actionVerb(g.action), ordinal(std::max(1, nth)), metricWords(g.metric),
                                                   windowWords(g.windowSeconds));
    } else if (g.relativeToLegacy) {
        rule = tr("%1 when %2 over %3 is %4 %5 % of legacy (at least %6 runs in each cohort)")
                   .arg(actionVerb(g.action), metricWords(g.metric), windowWords(g.windowSeconds),
                        g.orEqual ? tr("at or above") : tr("above"), number(g.threshold * 100.0))
                   .arg(g.minSamples);
    } else {
        rule = tr("%1 when %2 over %3 is %4 %5 (at least %6 runs)")
                   .arg(actionVerb(g.action), metricWords(g.metric), windowWords(g.windowSeconds),
                        g.orEqual ? tr("at or above") : tr("above"), valueWords(g, g.threshold))
                   .arg(g.minSamples);
    }
    if (g.consecutive > 1)
        rule += tr(", %n evaluation(s) in a row", nullptr, g.consecutive);
    return rule;
}

QString GuardrailEvaluator::describe(const Guardrail &g, const GuardrailResult &r)
{
    QString now;
    if (g.isCount() && r.samples > 0) {
        now = r.value == 0 ? tr("none so far") : tr("%1 so far").arg(number(r.value));
    } else if (r.status == GuardrailResult::Status::InsufficientData) {
        now = g.relativeToLegacy
                  ? tr("not enough runs yet (%1 sync, %2 legacy, %3 needed)").arg(r.samples).arg(r.legacySamples).arg(g.minSamples)
                  : tr("not enough runs yet (%1 of %2)").arg(r.samples).arg(g.minSamples);
    } else if (g.relativeToLegacy) {
        const double pct = r.legacyValue > 0 ? r.value / r.legacyValue * 100.0 : 0.0;
        now = tr("now %1 vs legacy %2 (%3 %)").arg(valueWords(g, r.value), valueWords(g, r.legacyValue), number(pct));
    } else {
        now = tr("now %1 over %n run(s)", nullptr, int(r.samples)).arg(valueWords(g, r.value));
    }
    if (r.status == GuardrailResult::Status::Breached && !r.trips)
        now += tr("; breached %1 of %2 times in a row").arg(r.consecutiveBreaches).arg(g.consecutive);
    return tr("%1; %2.").arg(describeRule(g), now);
}

QList<Guardrail> GuardrailStore::effective(const QString &flagKey) const
{
    QMap<QString, Guardrail> byName;
    QStringList order;
    for (const Guardrail &g : Guardrail::defaults()) {
        byName.insert(g.name, g);
        order << g.name;
    }
    // workspace defaults first, then the flag's own: later rows override earlier ones by name
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT name, definition, enabled FROM guardrails WHERE flag_key = '' OR flag_key = ?"
                                           " ORDER BY CASE WHEN flag_key = '' THEN 0 ELSE 1 END, id"),
                            {flagKey});
    while (q.next()) {
        Guardrail g = Guardrail::fromJson(QJsonDocument::fromJson(q.value(1).toString().toUtf8()).object());
        g.enabled = q.value(2).toInt() != 0;
        if (!order.contains(g.name))
            order << g.name;
        byName.insert(g.name, g);
    }
    QList<Guardrail> out;
    for (const QString &name : order)
        if (byName.value(name).enabled)
            out << byName.value(name);
    return out;
}

void GuardrailStore::set(const QString &flagKey, const Guardrail &g, const ChangeContext &ctx)
{
    if (!flagKey.isEmpty())
        FlagRules::checkKey(flagKey);
    m_ws.write([&] {
        QSqlQuery old = m_ws.exec(QStringLiteral("SELECT definition FROM guardrails WHERE flag_key = ? AND name = ?"), {flagKey, g.name});
        const QJsonValue before = old.next() ? QJsonValue(QJsonDocument::fromJson(old.value(0).toString().toUtf8()).object()) : QJsonValue();
        old.finish();
        m_ws.exec(QStringLiteral("DELETE FROM guardrails WHERE flag_key = ? AND name = ?"), {flagKey, g.name});
        m_ws.exec(QStringLiteral("INSERT INTO guardrails (flag_key, name, definition, enabled) VALUES (?, ?, ?, ?)"),
                  {flagKey, g.name, QString::fromUtf8(QJsonDocument(g.toJson()).toJson(QJsonDocument::Compact)), g.enabled ? 1 : 0});
        AuditLog(m_ws).append(ctx, QStringLiteral("guardrail.set"),
                              flagKey.isEmpty() ? QStringLiteral("guardrail:%1").arg(g.name)
                                                : QStringLiteral("guardrail:%1/%2").arg(flagKey, g.name),
                              before, g.toJson());
    });
}

void GuardrailStore::remove(const QString &flagKey, const QString &name, const ChangeContext &ctx)
{
    m_ws.write([&] {
        QSqlQuery q = m_ws.exec(QStringLiteral("DELETE FROM guardrails WHERE flag_key = ? AND name = ?"), {flagKey, name});
        if (q.numRowsAffected() == 0)
            invalid(tr("No guardrail \"%1\" is set for %2; nothing was changed.")
                        .arg(name, flagKey.isEmpty() ? tr("the workspace") : flagKey));
        AuditLog(m_ws).append(ctx, QStringLiteral("guardrail.remove"),
                              flagKey.isEmpty() ? QStringLiteral("guardrail:%1").arg(name) : QStringLiteral("guardrail:%1/%2").arg(flagKey, name),
                              QJsonObject{{QStringLiteral("name"), name}}, QJsonValue());
    });
}

GuardrailHistory GuardrailStore::history(qint64 rolloutId) const
{
    GuardrailHistory h;
    QSqlQuery q = m_ws.exec(QStringLiteral("SELECT guardrail, consecutive_breaches FROM guardrail_state WHERE rollout_id = ?"), {rolloutId});
    while (q.next())
        h.breaches.insert(q.value(0).toString(), q.value(1).toInt());
    q.finish();
    QSqlQuery d = m_ws.exec(QStringLiteral("SELECT MAX(at) FROM decisions WHERE rollout_id = ? AND kind IN ('restore', 'resume')"),
                            {rolloutId});
    if (d.next() && !d.value(0).isNull())
        h.notBefore = fromStoredTime(d.value(0).toString());
    return h;
}

} // namespace sp
