// Runs the fractional-bucketing vectors of flagd-testbed (../shared/testdata/flagd, see its
// SOURCE.txt) through SyncPilot's murmur3 and bucket arithmetic. Only the current algorithm
// (@fractional-v2: (hash * totalWeight) >> 32) is checked; v1 is the legacy float bucketing and
// v3 a proposal. Scenarios whose variants or weights are JSONLogic expressions are skipped: SyncPilot
// publishes literal on/off weights only.
#include "TestSupport.h"
#include "flags/Murmur3.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>

using namespace sp;

namespace {

struct Vector
{
    QString source;
    QString flagKey;
    QString targetingKey;            // empty when not given
    QJsonObject context;             // nested properties (user.name)
    QString expected;
};

QJsonObject loadFlags(const QStringList &files)
{
    QJsonObject all;
    for (const QString &f : files) {
        const QJsonObject flags = QJsonDocument::fromJson(test::readFile(f)).object().value(QStringLiteral("flags")).toObject();
        for (auto it = flags.begin(); it != flags.end(); ++it)
            all.insert(it.key(), it.value());
    }
    return all;
}

// A minimal reading of the gherkin files: scenario tags, the flag key, the context step, and
// the Examples tables tagged (or inheriting) @fractional-v2.
QList<Vector> parseFeature(const QString &path)
{
    QList<Vector> out;
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return out;
    const QStringList lines = QString::fromUtf8(file.readAll()).split(QLatin1Char('\n'));
    static const QRegularExpression flagRe(QStringLiteral("a String-flag with key \"([^\"]+)\""));
    static const QRegularExpression nestedRe(QStringLiteral("outer key \"([^\"]+)\" and inner key \"([^\"]+)\", with value \"<([^>]+)>\""));
    static const QRegularExpression tkRe(QStringLiteral("a targeting key with value \"(<[^>]+>|[^\"]*)\""));
    static const QRegularExpression valueRe(QStringLiteral("resolved details value should be \"(<[^>]+>|[^\"]*)\""));

    QStringList pendingTags, scenarioTags, exampleTags;
    QString flagKey, outer, inner, nestedColumn, tkSpec, valueSpec;
    bool inTable = false;
    QStringList header;
    bool scenarioIsOutline = false;
    const auto isV2 = [&] {
        const bool exampleVersioned = std::any_of(exampleTags.begin(), exampleTags.end(),
                                                  [](const QString &t) { return t.startsWith(QLatin1String("@fractional-v")); });
        if (exampleVersioned)
            return exampleTags.contains(QStringLiteral("@fractional-v2"));
        return scenarioTags.contains(QStringLiteral("@fractional-v2"));
    };
    const auto skipScenario = [&] {
        return scenarioTags.contains(QStringLiteral("@fractional-nested")) || scenarioTags.contains(QStringLiteral("@operator-errors"));
    };
    const auto emit = [&](const QMap<QString, QString> &row) {
        Vector v;
        v.source = QFileInfo(path).fileName();
        v.flagKey = flagKey;
        const auto resolve = [&](const QString &spec) {
            return spec.startsWith(QLatin1Char('<')) ? row.value(spec.mid(1, spec.size() - 2)) : spec;
        };
        if (!tkSpec.isNull())
            v.targetingKey = resolve(tkSpec);
        if (!outer.isEmpty())
            v.context.insert(outer, QJsonObject{{inner, row.value(nestedColumn)}});
        v.expected = resolve(valueSpec);
        out << v;
    };
    const auto finishScenario = [&] {
        if (!scenarioIsOutline && !flagKey.isEmpty() && !valueSpec.isEmpty() && isV2() && !skipScenario())
            emit({});
    };

    for (QString line : lines) {
        line = line.trimmed();
        if (line.startsWith(QLatin1Char('#')))
            continue;
        if (inTable && line.startsWith(QLatin1Char('|'))) {
            QStringList cells = line.split(QLatin1Char('|'));
            cells = cells.mid(1, cells.size() - 2);
            for (QString &c : cells)
                c = c.trimmed();
            if (header.isEmpty()) {
                header = cells;
            } else if (isV2() && !skipScenario()) {
                QMap<QString, QString> row;
                for (int i = 0; i < header.size() && i < cells.size(); ++i)
                    row.insert(header[i], cells[i]);
                emit(row);
            }
            continue;
        }
        inTable = false;
        if (line.startsWith(QLatin1Char('@'))) {
            pendingTags = line.split(QRegularExpression(QStringLiteral("\\s+")), Qt::SkipEmptyParts);
            continue;
        }
        if (line.startsWith(QLatin1String("Scenario"))) {
            finishScenario();
            scenarioIsOutline = line.startsWith(QLatin1String("Scenario Outline"));
            scenarioTags = pendingTags;
            pendingTags.clear();
            exampleTags.clear();
            flagKey.clear();
            outer.clear();
            tkSpec = QString();
            valueSpec.clear();
            continue;
        }
        if (line.startsWith(QLatin1String("Examples"))) {
            exampleTags = pendingTags;
            pendingTags.clear();
            inTable = true;
            header.clear();
            continue;
        }
        pendingTags.clear();
        if (auto m = flagRe.match(line); m.hasMatch())
            flagKey = m.captured(1);
        if (auto m = nestedRe.match(line); m.hasMatch()) {
            outer = m.captured(1);
            inner = m.captured(2);
            nestedColumn = m.captured(3);
        }
        if (auto m = tkRe.match(line); m.hasMatch())
            tkSpec = m.captured(1);
        if (auto m = valueRe.match(line); m.hasMatch())
            valueSpec = m.captured(1);
    }
    finishScenario();
    return out;
}

QJsonValue lookup(const QJsonObject &ctx, const QString &path)
{
    QJsonValue v = ctx;
    for (const QString &part : path.split(QLatin1Char('.')))
        v = v.toObject().value(part);
    return v;
}

// Evaluates {"fractional": [...]} as flagd does, with SyncPilot's hash and bucket functions.
// Returns the variant name, or a null string when the rule falls back to the default variant.
QString evaluateFractional(const QString &flagKey, const QJsonArray &args, const QJsonObject &ctx, bool *supported)
{
    *supported = true;
    QByteArray bucketBy;
    int first = 0;
    if (!args.isEmpty() && !args.first().isArray()) {
        const QJsonObject expr = args.first().toObject();
        first = 1;
        const auto evalPart = [&](const QJsonValue &part) -> QString {
            if (part.isString())
                return part.toString();
            const QString var = part.toObject().value(QStringLiteral("var")).toString();
            if (var == QLatin1String("$flagd.flagKey"))
                return flagKey;
            const QJsonValue v = lookup(ctx, var);
            return v.isString() ? v.toString() : QString();
        };
        if (expr.contains(QStringLiteral("cat"))) {
            QString s;
            for (const auto &p : expr.value(QStringLiteral("cat")).toArray())
                s += evalPart(p);
            bucketBy = s.toUtf8();
        } else if (expr.contains(QStringLiteral("var"))) {
            const QJsonValue v = lookup(ctx, expr.value(QStringLiteral("var")).toString());
            if (!v.isString())
                return {};
            bucketBy = v.toString().toUtf8();
        } else {
            *supported = false;
            return {};
        }
    } else {
        const QString tk = ctx.value(QStringLiteral("targetingKey")).toString();
        if (tk.isEmpty())
            return {};
        bucketBy = (flagKey + tk).toUtf8();
    }
    QList<QPair<QString, quint32>> buckets;
    quint64 total = 0;
    for (int i = first; i < args.size(); ++i) {
        const QJsonArray entry = args[i].toArray();
        if (entry.isEmpty() || !entry[0].isString() || (entry.size() > 1 && !entry[1].isDouble())) {
            *supported = false;
            return {};
        }
        const quint32 w = entry.size() > 1 ? quint32(std::max(0.0, entry[1].toDouble())) : 1u;
        buckets.append({entry[0].toString(), w});
        total += w;
    }
    if (total == 0)
        return {};
    const quint32 bucket = fractionalBucket(murmur3_32(std::string_view(bucketBy.constData(), size_t(bucketBy.size()))), quint32(total));
    quint64 sum = 0;
    for (const auto &[variant, w] : buckets) {
        sum += w;
        if (sum > bucket)
            return variant;
    }
    return {};
}

} // namespace

class TstFractionalVectors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void vectors_data()
    {
        QTest::addColumn<QString>("flagKey");
        QTest::addColumn<QString>("targetingKey");
        QTest::addColumn<QJsonObject>("context");
        QTest::addColumn<QString>("expected");
        QTest::addColumn<QJsonObject>("flag");

        const QString evaluatorDir = test::sharedTestData(QStringLiteral("flagd/testbed/evaluator"));
        const QString testbedDir = test::sharedTestData(QStringLiteral("flagd/testbed"));
        QStringList flagFiles{evaluatorDir + QStringLiteral("/flags/testkit-flags.json")};
        for (const QString &f : QDir(testbedDir + QStringLiteral("/flags")).entryList({QStringLiteral("*.json")}))
            flagFiles << testbedDir + QStringLiteral("/flags/") + f;
        const QJsonObject flags = loadFlags(flagFiles);
        QVERIFY2(!flags.isEmpty(), "flagd testdata not found next to the project (../shared/testdata/flagd)");

        QList<Vector> vectors = parseFeature(evaluatorDir + QStringLiteral("/gherkin/fractional.feature"));
        vectors += parseFeature(testbedDir + QStringLiteral("/gherkin/targeting.feature"));
        int n = 0;
        for (const Vector &v : vectors) {
            const QJsonObject flag = flags.value(v.flagKey).toObject();
            if (!flag.value(QStringLiteral("targeting")).toObject().contains(QStringLiteral("fractional")))
                continue;
            QJsonObject ctx = v.context;
            if (!v.targetingKey.isEmpty())
                ctx.insert(QStringLiteral("targetingKey"), v.targetingKey);
            QTest::addRow("%s %s %s", qPrintable(v.source), qPrintable(v.flagKey),
                          qPrintable(QString::fromUtf8(QJsonDocument(ctx).toJson(QJsonDocument::Compact))))
                << v.flagKey << v.targetingKey << ctx << v.expected << flag;
            ++n;
        }
        // The files hold 30+ applicable v2 vectors; far fewer means the parser lost them.
        QVERIFY2(n >= 25, qPrintable(QStringLiteral("only %1 fractional v2 vectors found").arg(n)));
    }

    void vectors()
    {
        QFETCH(QString, flagKey);
        QFETCH(QJsonObject, context);
        QFETCH(QString, expected);
        QFETCH(QJsonObject, flag);
        bool supported = true;
        const QJsonArray args = flag.value(QStringLiteral("targeting")).toObject().value(QStringLiteral("fractional")).toArray();
        QString variant = evaluateFractional(flagKey, args, context, &supported);
        if (!supported)
            QSKIP("JSONLogic variant or weight expressions are outside SyncPilot's published subset");
        if (variant.isNull())
            variant = flag.value(QStringLiteral("defaultVariant")).toString();
        const QString value = flag.value(QStringLiteral("variants")).toObject().value(variant).toString();
        QCOMPARE(value, expected);
    }
};

QTEST_GUILESS_MAIN(TstFractionalVectors)
#include "tst_fractional_vectors.moc"
