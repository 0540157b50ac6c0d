#include "common/Error.h"
#include "sync/DtcgFormat.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <functional>

using namespace sp;

namespace {

Rgba rgb(quint32 rrggbbaa)
{
    return Rgba{((rrggbbaa >> 24) & 0xff) / 255.0, ((rrggbbaa >> 16) & 0xff) / 255.0, ((rrggbbaa >> 8) & 0xff) / 255.0,
                (rrggbbaa & 0xff) / 255.0};
}

Variable var(const QString &name, VariableType type, QList<VariableValue> values, const QString &description = {})
{
    Variable v;
    v.name = name;
    v.type = type;
    v.description = description;
    v.values = std::move(values);
    return v;
}

VariableCollection brand()
{
    using V = VariableValue;
    VariableCollection c;
    c.name = QStringLiteral("Brand");
    c.modes = {QStringLiteral("Light"), QStringLiteral("Dark")};
    c.variables = {
        var(QStringLiteral("color/brand/primary"), VariableType::Color, {V::ofColor(rgb(0x1e66f5ff)), V::ofColor(rgb(0x89b4faff))},
            QStringLiteral("Brand blue")),
        var(QStringLiteral("color/brand/overlay"), VariableType::Color, {V::ofColor(Rgba{0, 0, 0, 0.5}), V::ofColor(Rgba{1, 1, 1, 0.5})}),
        var(QStringLiteral("color/text/link"), VariableType::Color,
            {V::ofAlias(QStringLiteral("color/brand/primary")), V::ofAlias(QStringLiteral("color/brand/overlay"))}),
        var(QStringLiteral("space/md"), VariableType::Float, {V::ofNumber(16, QStringLiteral("px")), V::ofNumber(12, QStringLiteral("px"))}),
        var(QStringLiteral("space/gutter"), VariableType::Float, {V::ofAlias(QStringLiteral("space/md")), V::ofAlias(QStringLiteral("space/md"))}),
        var(QStringLiteral("opacity/disabled"), VariableType::Float, {V::ofNumber(0.4), V::ofNumber(0.38)}),
        var(QStringLiteral("flags/beta"), VariableType::Boolean, {V::ofBoolean(true), V::ofBoolean(false)}),
        var(QStringLiteral("font/family"), VariableType::String,
            {V::ofString(QStringLiteral("Inter")), V::ofString(QStringLiteral("Inter \"Display\""))}),
    };
    return c;
}

// What write(brand()) must give, written out by hand.
const char kBrandDtcg[] = R"({
  "$extensions": {
    "io.syncpilot": {
      "collection": "Brand",
      "modes": ["Light", "Dark"]
    }
  },
  "color": {
    "brand": {
      "primary": {
        "$type": "color",
        "$value": "#1e66f5",
        "$description": "Brand blue",
        "$extensions": {
          "io.syncpilot": {
            "modes": {
              "Light": "#1e66f5",
              "Dark": "#89b4fa"
            }
          }
        }
      },
      "overlay": {
        "$type": "color",
        "$value": "#00000080",
        "$extensions": {
          "io.syncpilot": {
            "modes": {
              "Light": "#00000080",
              "Dark": "#ffffff80"
            }
          }
        }
      }
    },
    "text": {
      "link": {
        "$type": "color",
        "$value": "{color.brand.primary}",
        "$extensions": {
          "io.syncpilot": {
            "modes": {
              "Light": "{color.brand.primary}",
              "Dark": "{color.brand.overlay}"
            }
          }
        }
      }
    }
  },
  "space": {
    "md": {
      "$type": "dimension",
      "$value": "16px",
      "$extensions": {
        "io.syncpilot": {
          "modes": {
            "Light": "16px",
            "Dark": "12px"
          }
        }
      }
    },
    "gutter": {
      "$type": "dimension",
      "$value": "{space.md}",
      "$extensions": {
        "io.syncpilot": {
          "modes": {
            "Light": "{space.md}",
            "Dark": "{space.md}"
          }
        }
      }
    }
  },
  "opacity": {
    "disabled": {
      "$type": "number",
      "$value": 0.4,
      "$extensions": {
        "io.syncpilot": {
          "modes": {
            "Light": 0.4,
            "Dark": 0.38
          }
        }
      }
    }
  },
  "flags": {
    "beta": {
      "$type": "boolean",
      "$value": true,
      "$extensions": {
        "io.syncpilot": {
          "modes": {
            "Light": true,
            "Dark": false
          }
        }
      }
    }
  },
  "font": {
    "family": {
      "$type": "string",
      "$value": "Inter",
      "$extensions": {
        "io.syncpilot": {
          "modes": {
            "Light": "Inter",
            "Dark": "Inter \"Display\""
          }
        }
      }
    }
  }
}
)";

// One mode, groups interleaved: b's variables are written together and the order is recorded.
const char kSoloDtcg[] = R"({
  "$extensions": {
    "io.syncpilot": {
      "collection": "Solo",
      "modes": ["Value"],
      "order": [
        "b/x",
        "a/y",
        "b/z"
      ]
    }
  },
  "b": {
    "x": {
      "$type": "number",
      "$value": 1
    },
    "z": {
      "$type": "boolean",
      "$value": true
    }
  },
  "a": {
    "y": {
      "$type": "string",
      "$value": "hi"
    }
  }
}
)";

VariableCollection solo()
{
    VariableCollection c;
    c.name = QStringLiteral("Solo");
    c.modes = {QStringLiteral("Value")};
    c.variables = {var(QStringLiteral("b/x"), VariableType::Float, {VariableValue::ofNumber(1)}),
                   var(QStringLiteral("a/y"), VariableType::String, {VariableValue::ofString(QStringLiteral("hi"))}),
                   var(QStringLiteral("b/z"), VariableType::Boolean, {VariableValue::ofBoolean(true)})};
    return c;
}

// A collection with every kind of value, awkward text and interleaved groups, from a fixed seed.
VariableCollection generated(quint32 seed, int count)
{
    QRandomGenerator rng(seed);
    VariableCollection c;
    c.name = QStringLiteral("Gen \"ü\" %1").arg(seed);
    c.modes = {QStringLiteral("Light"), QStringLiteral("Dämmerung 🌙"), QStringLiteral("High \"contrast\"")};
    const QStringList groups = {QStringLiteral("color"), QStringLiteral("space"), QStringLiteral("日本"), QStringLiteral("a b"),
                                QStringLiteral("x-y_z"), QStringLiteral("ñ")};
    const QStringList units = {QStringLiteral("px"), QStringLiteral("rem"), QStringLiteral("%"), QStringLiteral("em"),
                               QStringLiteral("ms")};
    const QStringList texts = {QStringLiteral("Inter"), QStringLiteral("quote \" and \\ backslash"), QStringLiteral("line\nbreak\ttab"),
                               QString(QChar(0x01)) + QStringLiteral("ctl"), QStringLiteral("emoji 🎨 ü"), QString(),
                               QStringLiteral("{not closed"), QStringLiteral("closed}")};
    const double numbers[] = {0, 1, -3, 0.1, 0.4, 1.0 / 3, 1e-7, 1e20, 123456789012345678.0, -0.000123, 2.5e-300, 16};
    for (int i = 0; i < count; ++i) {
        Variable v;
        v.name = QStringLiteral("%1/%2/item%3").arg(groups.at(rng.bounded(int(groups.size()))), QString::number(rng.bounded(4)))
                     .arg(i);
        v.type = VariableType(rng.bounded(4));
        if (rng.bounded(3) == 0)
            v.description = texts.at(rng.bounded(int(texts.size())));
        // Earlier variables of the same type are alias candidates.
        QList<int> sameType;
        for (int j = 0; j < c.variables.size(); ++j) {
            if (c.variables.at(j).type == v.type)
                sameType << j;
        }
        const bool hasUnit = rng.bounded(2) == 0;
        for (int m = 0; m < c.modes.size(); ++m) {
            if (!sameType.isEmpty() && rng.bounded(5) == 0) {
                v.values << VariableValue::ofAlias(c.variables.at(sameType.at(rng.bounded(int(sameType.size())))).name);
                continue;
            }
            switch (v.type) {
            case VariableType::Color:
                v.values << VariableValue::ofColor(rgb(rng.bounded(2) ? (rng.generate() | 0xff) : rng.generate()));
                break;
            case VariableType::Float: {
                const double n = rng.bounded(2) ? numbers[rng.bounded(int(std::size(numbers)))] : rng.generateDouble() * 1000 - 500;
                v.values << VariableValue::ofNumber(n, hasUnit ? units.at(rng.bounded(int(units.size()))) : QString());
                break;
            }
            case VariableType::Boolean: v.values << VariableValue::ofBoolean(rng.bounded(2)); break;
            case VariableType::String: v.values << VariableValue::ofString(texts.at(rng.bounded(int(texts.size())))); break;
            }
        }
        c.variables << v;
    }
    return c;
}

QString errorOf(const std::function<void()> &f)
{
    try {
        f();
    } catch (const Error &e) {
        return e.message();
    }
    return QStringLiteral("<no error>");
}

} // namespace

class TstDtcgFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void writesExactBytes()
    {
        const QByteArray written = DtcgFormat::write(brand());
        QCOMPARE(QString::fromUtf8(written), QString::fromUtf8(kBrandDtcg));
        QCOMPARE(QString::fromUtf8(DtcgFormat::write(solo())), QString::fromUtf8(kSoloDtcg));
        // Valid JSON for anyone else, too.
        QJsonParseError error;
        QJsonDocument::fromJson(written, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
    }

    void readsExactBytesBack()
    {
        QCOMPARE(DtcgFormat::read(QByteArray(kBrandDtcg), QStringLiteral("brand.tokens.json")), brand());
        // The recorded order restores the interleaving the groups could not keep.
        const VariableCollection back = DtcgFormat::read(QByteArray(kSoloDtcg), QStringLiteral("solo.tokens.json"));
        QCOMPARE(back.variables.at(0).name, QStringLiteral("b/x"));
        QCOMPARE(back.variables.at(1).name, QStringLiteral("a/y"));
        QCOMPARE(back, solo());
    }

    void roundTripsGeneratedCollections_data()
    {
        QTest::addColumn<quint32>("seed");
        QTest::addColumn<int>("count");
        QTest::newRow("small") << 7u << 40;
        QTest::newRow("medium") << 2024u << 600;
        QTest::newRow("other seed") << 99991u << 600;
    }

    void roundTripsGeneratedCollections()
    {
        QFETCH(quint32, seed);
        QFETCH(int, count);
        const VariableCollection c = generated(seed, count);
        QCOMPARE(c.variables.size(), count);
        const QByteArray bytes = DtcgFormat::write(c);
        const VariableCollection back = DtcgFormat::read(bytes, QStringLiteral("gen.tokens.json"));
        QCOMPARE(back.name, c.name);
        QCOMPARE(back.modes, c.modes);
        QCOMPARE(back.variables.size(), c.variables.size());
        for (qsizetype i = 0; i < c.variables.size(); ++i) {
            const Variable &a = c.variables.at(i);
            const Variable &b = back.variables.at(i);
            QCOMPARE(b.name, a.name);
            QCOMPARE(variableTypeName(b.type), variableTypeName(a.type));
            QCOMPARE(b.description, a.description);
            for (qsizetype m = 0; m < a.values.size(); ++m)
                QVERIFY2(b.values.at(m) == a.values.at(m),
                         qPrintable(a.name + u' ' + a.values.at(m).display() + u' ' + b.values.at(m).display()));
        }
        QVERIFY(back == c);
        QCOMPARE(back.contentHash(), c.contentHash());
        QCOMPARE(DtcgFormat::write(back), bytes);
        // Parses as standard JSON with the same token count.
        QJsonParseError error;
        QJsonDocument::fromJson(bytes, &error);
        QCOMPARE(error.error, QJsonParseError::NoError);
        QCOMPARE(bytes.count("\"$value\""), c.variables.size());
    }

    void writeIsDeterministic()
    {
        const VariableCollection c = generated(5, 300);
        const QByteArray first = DtcgFormat::write(c);
        VariableCollection copy;
        copy.name = c.name;
        copy.modes = c.modes;
        for (const Variable &v : c.variables)
            copy.variables << v;
        QCOMPARE(DtcgFormat::write(copy), first);
        QCOMPARE(DtcgFormat::write(c), first);
        QVERIFY(first.endsWith("}\n"));
        // A changed value changes exactly that token's bytes.
        copy.variables[10].description = QStringLiteral("changed");
        QVERIFY(DtcgFormat::write(copy) != first);
    }

    void groupsFollowFirstAppearance()
    {
        VariableCollection c;
        c.name = QStringLiteral("g");
        c.modes = {QStringLiteral("Value")};
        for (const char *name : {"z/one", "a/deep/x", "z/two", "m/only", "a/top", "a/deep/y"})
            c.variables << var(QString::fromLatin1(name), VariableType::Float, {VariableValue::ofNumber(1)});
        const QString text = QString::fromUtf8(DtcgFormat::write(c));
        auto at = [&](const char *needle) { return text.indexOf(QString::fromLatin1(needle)); };
        QVERIFY(at("\"z\": {") < at("\"a\": {"));
        QVERIFY(at("\"a\": {") < at("\"m\": {"));
        QVERIFY(at("\"one\"") < at("\"two\""));
        QVERIFY(at("\"two\"") < at("\"deep\""));
        QVERIFY(at("\"x\"") < at("\"y\""));
        QVERIFY(at("\"y\"") < at("\"top\""));
        QCOMPARE(DtcgFormat::read(text.toUtf8(), QStringLiteral("g.json")), c);
    }

    void numbersAreShortest()
    {
        VariableCollection c;
        c.modes = {QStringLiteral("Value")};
        const QList<std::pair<double, QString>> cases = {
            {16, QStringLiteral("16")},   {-3, QStringLiteral("-3")},     {0.1, QStringLiteral("0.1")},
            {1e20, QStringLiteral("1e+20")},              {1.5, QStringLiteral("1.5")},
            {1e-7, QStringLiteral("1e-07")}, {1.0 / 3, QStringLiteral("0.3333333333333333")}};
        for (int i = 0; i < cases.size(); ++i)
            c.variables << var(QStringLiteral("n/v%1").arg(i), VariableType::Float, {VariableValue::ofNumber(cases.at(i).first)});
        const QString text = QString::fromUtf8(DtcgFormat::write(c));
        for (const auto &[number, expected] : cases) {
            Q_UNUSED(number)
            QVERIFY2(text.contains(QStringLiteral("\"$value\": %1\n").arg(expected)), qPrintable(expected));
        }
        QCOMPARE(DtcgFormat::read(text.toUtf8(), QStringLiteral("n.json")), c);
    }

    void readsOtherDtcg()
    {
        // Style Dictionary's own example style: $type on groups, no SyncPilot extensions,
        // 2025.10 object values, an alias without a type.
        const QByteArray json = R"({
  "color": {
    "$type": "color",
    "brand": {
      "primary": { "$value": "#1E66F5", "$description": "Brand blue" },
      "short": { "$value": "#f0a" },
      "object": { "$value": { "colorSpace": "srgb", "components": [0.2, 0.4, 1], "alpha": 0.8, "hex": "#3366ff" } }
    },
    "text": { "link": { "$value": "{color.brand.primary}" } }
  },
  "space": {
    "$type": "dimension",
    "md": { "$value": "16px" },
    "lg": { "$value": { "value": 1.5, "unit": "rem" } }
  },
  "alias": { "untyped": { "$value": "{space.md}" } },
  "font": { "weight": { "bold": { "$type": "fontWeight", "$value": 700 } } }
})";
        const VariableCollection c = DtcgFormat::read(json, QStringLiteral("/tmp/x/brand.tokens.json"));
        QCOMPARE(c.name, QStringLiteral("brand"));
        QCOMPARE(c.modes, QStringList{QStringLiteral("Value")});
        QStringList names;
        for (const Variable &v : c.variables)
            names << v.name;
        QCOMPARE(names, (QStringList{QStringLiteral("color/brand/primary"), QStringLiteral("color/brand/short"),
                                     QStringLiteral("color/brand/object"), QStringLiteral("color/text/link"),
                                     QStringLiteral("space/md"), QStringLiteral("space/lg"), QStringLiteral("alias/untyped"),
                                     QStringLiteral("font/weight/bold")}));
        QCOMPARE(c.find(QStringLiteral("color/brand/primary"))->values.at(0).color.hex(), QStringLiteral("#1e66f5"));
        QCOMPARE(c.find(QStringLiteral("color/brand/primary"))->description, QStringLiteral("Brand blue"));
        QCOMPARE(c.find(QStringLiteral("color/brand/short"))->values.at(0).color.hex(), QStringLiteral("#ff00aa"));
        QCOMPARE(c.find(QStringLiteral("color/brand/object"))->values.at(0).color.hex(), QStringLiteral("#3366ffcc"));
        QCOMPARE(c.find(QStringLiteral("color/text/link"))->type, VariableType::Color);
        QCOMPARE(c.find(QStringLiteral("color/text/link"))->values.at(0).text, QStringLiteral("color/brand/primary"));
        QCOMPARE(c.find(QStringLiteral("space/md"))->values.at(0), VariableValue::ofNumber(16, QStringLiteral("px")));
        QCOMPARE(c.find(QStringLiteral("space/lg"))->values.at(0), VariableValue::ofNumber(1.5, QStringLiteral("rem")));
        QCOMPARE(c.find(QStringLiteral("alias/untyped"))->type, VariableType::Float);
        QCOMPARE(c.find(QStringLiteral("font/weight/bold"))->values.at(0), VariableValue::ofNumber(700));
        // And what was read writes out again as SyncPilot DTCG that reads back the same.
        QCOMPARE(DtcgFormat::read(DtcgFormat::write(c), QStringLiteral("again.json")), c);
    }

    void malformedInputNamesThePath_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::addColumn<QString>("message");
        QTest::newRow("value missing") << QByteArray(R"({"color": {"brand": {"primary": {"$type": "color"}}}})")
                                       << QStringLiteral("tokens.json: /color/brand/primary: \"$value\" missing");
        QTest::newRow("not json") << QByteArray("{\n  \"a\": ")
                                  << QStringLiteral("tokens.json: line 2, column 8: unexpected end of the JSON document");
        QTest::newRow("trailing comma") << QByteArray(R"({"a": {"$type": "number", "$value": 1},})")
                                        << QStringLiteral("tokens.json: line 1, column 40: expected a member name in quotes");
        QTest::newRow("bad colour") << QByteArray("{\"a\": {\"$type\": \"color\", \"$value\": \"#12345\"}}")
                                    << QStringLiteral("tokens.json: /a/$value: \"#12345\" is not a colour");
        QTest::newRow("broken alias") << QByteArray(R"({"a": {"$type": "color", "$value": "{b.c}"}})")
                                      << QStringLiteral("tokens.json: /a/$value: refers to {b.c}, which is not defined");
        QTest::newRow("no type") << QByteArray(R"({"g": {"a": {"$value": 3}}})")
                                 << QStringLiteral("tokens.json: /g/a/$value: \"$type\" missing");
        QTest::newRow("duplicate key") << QByteArray(R"({"a": {"$type": "number", "$value": 1}, "a": {}})")
                                       << QStringLiteral("the member \"a\" appears twice");
        QTest::newRow("not an object") << QByteArray(R"({"g": {"a": 5}})")
                                       << QStringLiteral("tokens.json: /g/a: expected a token or a group");
        QTest::newRow("boolean") << QByteArray(R"({"a": {"$type": "boolean", "$value": "yes"}})")
                                 << QStringLiteral("tokens.json: /a/$value: expected true or false");
        QTest::newRow("unsupported type") << QByteArray(R"({"a": {"$type": "shadow", "$value": {}}})")
                                          << QStringLiteral("tokens.json: /a/$type: the type \"shadow\" is not supported");
        QTest::newRow("slash in name") << QByteArray(R"({"a/b": {"$type": "number", "$value": 1}})")
                                       << QStringLiteral("tokens.json: /a~1b: names cannot contain");
        QTest::newRow("token with children") << QByteArray(R"({"a": {"$type": "number", "$value": 1, "b": {}}})")
                                             << QStringLiteral("tokens.json: /a/b: a token cannot contain");
        QTest::newRow("modes not a list") << QByteArray(R"({"$extensions": {"io.syncpilot": {"modes": "Light"}}})")
                                          << QStringLiteral("tokens.json: /$extensions/io.syncpilot/modes: expected an array of strings");
        QTest::newRow("unknown mode")
            << QByteArray(R"({"$extensions": {"io.syncpilot": {"modes": ["Light", "Dark"]}},
                  "a": {"$type": "number", "$value": 1, "$extensions": {"io.syncpilot": {"modes": {"Dim": 2}}}}})")
            << QStringLiteral("tokens.json: /a/$extensions/io.syncpilot/modes/Dim: unknown mode \"Dim\" (the file declares Light, Dark)");
        QTest::newRow("bad mode value")
            << QByteArray(R"({"$extensions": {"io.syncpilot": {"modes": ["Light", "Dark"]}},
                  "a": {"$type": "dimension", "$value": "1px", "$extensions": {"io.syncpilot": {"modes": {"Dark": "wide"}}}}})")
            << QStringLiteral("tokens.json: /a/$extensions/io.syncpilot/modes/Dark: \"wide\" is not a number or a dimension");
        QTest::newRow("alias cycle without type") << QByteArray(R"({"a": {"$value": "{b}"}, "b": {"$value": "{a}"}})")
                                                  << QStringLiteral("\"$type\" missing");
        QTest::newRow("root not object") << QByteArray("[1, 2]") << QStringLiteral("tokens.json: /: expected a JSON object");
    }

    void malformedInputNamesThePath()
    {
        QFETCH(QByteArray, json);
        QFETCH(QString, message);
        const QString actual = errorOf([&] { DtcgFormat::read(json, QStringLiteral("tokens.json")); });
        QVERIFY2(actual.contains(message), qPrintable(actual));
        try {
            DtcgFormat::read(json, QStringLiteral("tokens.json"));
        } catch (const Error &e) {
            QCOMPARE(e.kind(), ErrorKind::InvalidInput);
        }
    }

    void refusesWhatDtcgCannotHold_data()
    {
        QTest::addColumn<QString>("first");
        QTest::addColumn<QString>("second");
        QTest::addColumn<QString>("message");
        QTest::newRow("dot") << QStringLiteral("space/1.5") << QStringLiteral("ok") << QStringLiteral("Variable space/1.5: DTCG names cannot contain");
        QTest::newRow("dollar") << QStringLiteral("a/$b") << QStringLiteral("ok") << QStringLiteral("Variable a/$b: DTCG names cannot start with");
        QTest::newRow("empty segment") << QStringLiteral("a//b") << QStringLiteral("ok") << QStringLiteral("Variable \"a//b\"");
        QTest::newRow("token and group") << QStringLiteral("color/brand") << QStringLiteral("color/brand/primary")
                                         << QStringLiteral("color/brand is both a variable and a group");
        QTest::newRow("group then token") << QStringLiteral("color/brand/primary") << QStringLiteral("color/brand")
                                          << QStringLiteral("color/brand is both a variable and a group");
        QTest::newRow("duplicate") << QStringLiteral("a/b") << QStringLiteral("a/b") << QStringLiteral("Variable a/b appears twice");
    }

    void refusesWhatDtcgCannotHold()
    {
        QFETCH(QString, first);
        QFETCH(QString, second);
        QFETCH(QString, message);
        VariableCollection c;
        c.modes = {QStringLiteral("Value")};
        c.variables << var(first, VariableType::Float, {VariableValue::ofNumber(1)})
                    << var(second, VariableType::Float, {VariableValue::ofNumber(2)});
        const QString actual = errorOf([&] { DtcgFormat::write(c); });
        QVERIFY2(actual.contains(message), qPrintable(actual));
    }

    void refusesInconsistentValues()
    {
        VariableCollection c = brand();
        c.variables[3].values.removeLast();
        QVERIFY(errorOf([&] { DtcgFormat::write(c); }).contains(QStringLiteral("space/md has 1 value, but the collection has 2")));
        c = brand();
        c.variables[5].values[1] = VariableValue::ofNumber(qQNaN());
        QVERIFY(errorOf([&] { DtcgFormat::write(c); }).contains(QStringLiteral("opacity/disabled, mode Dark")));
        c = brand();
        c.variables[7].values[0] = VariableValue::ofString(QStringLiteral("{looks.like.alias}"));
        QVERIFY(errorOf([&] { DtcgFormat::write(c); }).contains(QStringLiteral("font/family, mode Light")));
    }

    void emptyCollectionRoundTrips()
    {
        const VariableCollection empty;
        const QByteArray bytes = DtcgFormat::write(empty);
        QCOMPARE(DtcgFormat::read(bytes, QStringLiteral("e.json")), empty);
    }

    void referenceSyntax()
    {
        QCOMPARE(DtcgFormat::reference(QStringLiteral("color/brand/primary")), QStringLiteral("{color.brand.primary}"));
    }
};

QTEST_GUILESS_MAIN(TstDtcgFormat)
#include "tst_dtcg_format.moc"
