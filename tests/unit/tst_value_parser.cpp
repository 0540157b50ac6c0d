#include "sync/ValueParser.h"

#include <QTest>

#include <cstdlib>
#include <cstring>

using namespace sp;
using Shape = ValueParser::Shape;

Q_DECLARE_METATYPE(sp::ValueParser::Shape)

class TstValueParser : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void colours_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("hex");
        QTest::newRow("#RGB") << "#3f8" << "#33ff88";
        QTest::newRow("#RGBA") << "#3f88" << "#33ff8888";
        QTest::newRow("#RRGGBB") << "#3366FF" << "#3366ff";
        QTest::newRow("#RRGGBBAA") << "#3366ffcc" << "#3366ffcc";
        QTest::newRow("opaque alpha") << "#3366ffff" << "#3366ff";
        QTest::newRow("spaces around") << "  #000000 " << "#000000";
        QTest::newRow("rgb commas") << "rgb(51, 102, 255)" << "#3366ff";
        QTest::newRow("rgba commas") << "rgba(51,102,255,0.8)" << "#3366ffcc";
        QTest::newRow("rgb spaces slash") << "rgb(51 102 255 / 80%)" << "#3366ffcc";
        QTest::newRow("rgba spaces") << "RGBA(51 102 255)" << "#3366ff";
        QTest::newRow("rgb percentages") << "rgb(100%, 0%, 50%)" << "#ff0080";
        QTest::newRow("hsl") << "hsl(0, 100%, 50%)" << "#ff0000";
        QTest::newRow("hsl green") << "hsl(120deg 100% 25%)" << "#008000";
        QTest::newRow("hsla") << "hsla(240, 100%, 50%, 0.5)" << "#0000ff80";
        QTest::newRow("hsl grey") << "hsl(0 0% 50% / 100%)" << "#808080";
        QTest::newRow("hsl negative hue") << "hsl(-120, 100%, 50%)" << "#0000ff";
    }
    void colours()
    {
        QFETCH(QString, text);
        QFETCH(QString, hex);
        Rgba c;
        QString error;
        QVERIFY2(ValueParser::parseColor(text, &c, &error), qPrintable(error));
        QCOMPARE(c.hex(), hex);
        VariableValue v;
        QVERIFY(ValueParser::parse(text, VariableType::Color, &v, &error));
        QCOMPARE(v.kind, VariableValue::Kind::Color);
        QCOMPARE(v.color.hex(), hex);
        QCOMPARE(ValueParser::shape(text), Shape::Color);
    }

    void badColours_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("5 digits") << "#12345" << "\"#12345\" is not a colour";
        QTest::newRow("7 digits") << "#1234567" << "\"#1234567\" is not a colour";
        QTest::newRow("not hex") << "#12345g" << "\"#12345g\" is not a colour";
        QTest::newRow("bare hash") << "#" << "\"#\" is not a colour";
        QTest::newRow("word") << "red" << "\"red\" is not a colour";
        QTest::newRow("channel range") << "rgb(300, 0, 0)" << "\"rgb(300, 0, 0)\" is not a colour: 300 is outside 0–255";
        QTest::newRow("two values") << "rgb(1, 2)" << "\"rgb(1, 2)\" is not a colour: expected 3 values";
        QTest::newRow("alpha range") << "rgba(1, 2, 3, 1.5)" << "alpha 1.5 is outside 0–1";
        QTest::newRow("alpha word") << "rgba(1, 2, 3, x)" << "alpha \"x\" is not a number";
        QTest::newRow("no parenthesis") << "rgb 1 2 3" << "is not a colour: write rgb(…)";
        QTest::newRow("hsl percent range") << "hsl(10, 150%, 50%)" << "150% is outside 0%–100%";
        QTest::newRow("hsl hue") << "hsl(red, 10%, 50%)" << "hue \"red\" is not an angle";
        QTest::newRow("channel unit") << "rgb(1px, 2, 3)" << "\"1px\" is not a number";
    }
    void badColours()
    {
        QFETCH(QString, text);
        QFETCH(QString, error);
        Rgba c;
        QString why;
        QVERIFY(!ValueParser::parseColor(text, &c, &why));
        QVERIFY2(why.contains(error), qPrintable(why));
        VariableValue v;
        QString why2;
        QVERIFY(!ValueParser::parse(text, VariableType::Color, &v, &why2));
        QCOMPARE(why2, why);
    }

    void exactColourMessage()
    {
        QString why;
        Rgba c;
        QVERIFY(!ValueParser::parseColor(u"#12345", &c, &why));
        QCOMPARE(why, QStringLiteral("\"#12345\" is not a colour"));
    }

    void numbers_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<double>("number");
        QTest::addColumn<QString>("unit");
        QTest::newRow("int") << "12" << 12.0 << "";
        QTest::newRow("negative") << "-0.5" << -0.5 << "";
        QTest::newRow("plus") << "+3" << 3.0 << "";
        QTest::newRow("leading dot") << ".25" << 0.25 << "";
        QTest::newRow("exponent") << "1e3" << 1000.0 << "";
        QTest::newRow("exponent sign") << "2.5E-2" << 0.025 << "";
        QTest::newRow("px") << "12px" << 12.0 << "px";
        QTest::newRow("rem") << "1.5rem" << 1.5 << "rem";
        QTest::newRow("em not exponent") << "1em" << 1.0 << "em";
        QTest::newRow("percent") << "50%" << 50.0 << "%";
        QTest::newRow("ms") << "200ms" << 200.0 << "ms";
        QTest::newRow("upper unit") << "4PX" << 4.0 << "px";
        QTest::newRow("spaces") << " 8px " << 8.0 << "px";
    }
    void numbers()
    {
        QFETCH(QString, text);
        QFETCH(double, number);
        QFETCH(QString, unit);
        VariableValue v;
        QString error;
        QVERIFY2(ValueParser::parse(text, VariableType::Float, &v, &error), qPrintable(error));
        QCOMPARE(v.kind, VariableValue::Kind::Number);
        QCOMPARE(v.number, number);
        QCOMPARE(v.unit, unit);
        QCOMPARE(ValueParser::shape(text), Shape::Number);
    }

    void decimalsRoundCorrectly()
    {
        // Short decimals take a fast path; every result must be the double strtod gives (the
        // correctly rounded one), bit for bit, on both sides of the 15-digit limit.
        QStringList texts{"0.1", "0.3", "-0.64", "0.08", "5.", ".5", "-0", "+7.25", "123456789012345",
                          "1234567890123456", "0.123456789012345", "0.1234567890123456", "9007199254740993",
                          "1e-7", "2.5e3", "00000000000000000001.5"};
        quint32 seed = 12345;
        for (int i = 0; i < 2000; ++i) {
            seed = seed * 1664525u + 1013904223u;
            const int decimals = int(seed >> 28);
            const quint64 digits = (quint64(seed) * 2654435761u) % 1000000000000000ull;
            QString text = QString::number(digits);
            if (decimals > 0 && decimals < text.size())
                text.insert(text.size() - decimals, u'.');
            texts << text;
        }
        for (const QString &text : std::as_const(texts)) {
            double number = 0;
            QString unit;
            QVERIFY2(ValueParser::parseNumber(text, &number, &unit), qPrintable(text));
            const double expected = std::strtod(text.toLatin1().constData(), nullptr);
            QVERIFY2(std::memcmp(&number, &expected, sizeof number) == 0,
                     qPrintable(text + QStringLiteral(": ") + QString::number(number, 'g', 17) + QStringLiteral(" != ")
                                + QString::number(expected, 'g', 17)));
        }
    }

    void badNumbers_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("error");
        QTest::newRow("unit typo") << "12pz" << "\"12pz\" is not a number: unknown unit \"pz\"";
        QTest::newRow("space before unit") << "12 px" << "unknown unit \" px\"";
        QTest::newRow("two dots") << "1.2.3" << "\"1.2.3\" is not a number";
        QTest::newRow("word") << "twelve" << "\"twelve\" is not a number";
        QTest::newRow("sign only") << "-" << "\"-\" is not a number";
        QTest::newRow("overflow") << "1e999" << "\"1e999\" is not a number: out of range";
        QTest::newRow("thousands") << "1,000" << "\"1,000\" is not a number";
    }
    void badNumbers()
    {
        QFETCH(QString, text);
        QFETCH(QString, error);
        VariableValue v;
        QString why;
        QVERIFY(!ValueParser::parse(text, VariableType::Float, &v, &why));
        QVERIFY2(why.contains(error), qPrintable(why));
    }

    void booleans()
    {
        const QList<std::pair<QString, bool>> good{{"TRUE", true}, {"true", true}, {"True", true}, {"yes", true},
                                                   {"FALSE", false}, {"false", false}, {" No ", false}};
        for (const auto &[text, expected] : good) {
            VariableValue v;
            QVERIFY2(ValueParser::parse(text, VariableType::Boolean, &v), qPrintable(text));
            QCOMPARE(v.kind, VariableValue::Kind::Boolean);
            QCOMPARE(v.boolean, expected);
            QCOMPARE(ValueParser::shape(text), Shape::Boolean);
        }
        VariableValue v;
        QString why;
        QVERIFY(!ValueParser::parse(QStringLiteral("maybe"), VariableType::Boolean, &v, &why));
        QCOMPARE(why, QStringLiteral("\"maybe\" is not a boolean (use true or false)"));
        QVERIFY(!ValueParser::parse(QStringLiteral("1"), VariableType::Boolean, &v));
    }

    void strings()
    {
        VariableValue v;
        QVERIFY(ValueParser::parse(QStringLiteral("  Inter, sans-serif "), VariableType::String, &v));
        QCOMPARE(v.kind, VariableValue::Kind::String);
        QCOMPARE(v.text, QStringLiteral("  Inter, sans-serif ")); // strings are kept as written
        QVERIFY(ValueParser::parse(QStringLiteral("#12345"), VariableType::String, &v));
        QCOMPARE(v.text, QStringLiteral("#12345"));
    }

    void aliases_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<QString>("target");
        QTest::newRow("slash") << "{color/brand/500}" << "color/brand/500";
        QTest::newRow("dot") << "{color.brand.500}" << "color/brand/500";
        QTest::newRow("spaces") << " { space/4 } " << "space/4";
    }
    void aliases()
    {
        QFETCH(QString, text);
        QFETCH(QString, target);
        for (const VariableType type : {VariableType::Color, VariableType::Float, VariableType::Boolean, VariableType::String}) {
            VariableValue v;
            QVERIFY(ValueParser::parse(text, type, &v));
            QVERIFY(v.isAlias());
            QCOMPARE(v.text, target);
        }
        QCOMPARE(ValueParser::shape(text), Shape::Alias);
    }

    void badAliases()
    {
        VariableValue v;
        QString why;
        QVERIFY(!ValueParser::parse(QStringLiteral("{color//bg}"), VariableType::Color, &v, &why));
        QVERIFY2(why.startsWith(QStringLiteral("\"{color//bg}\" is not a valid alias: ")) && why.contains(QStringLiteral("empty group")),
                 qPrintable(why));
        QVERIFY(!ValueParser::parse(QStringLiteral("{}"), VariableType::String, &v, &why));
        QVERIFY2(why.contains(QStringLiteral("the name is empty")), qPrintable(why));
        QVERIFY(!ValueParser::parse(QStringLiteral("{$root/x}"), VariableType::String, &v, &why));
        QVERIFY2(why.contains(QStringLiteral("\"$\"")), qPrintable(why));
        QString name;
        QVERIFY(!ValueParser::parseAlias(u"color/bg", &name, &why));
    }

    void names_data()
    {
        QTest::addColumn<QString>("name");
        QTest::addColumn<QString>("problem"); // empty: valid
        QTest::newRow("plain") << "color" << "";
        QTest::newRow("groups") << "color/brand/500" << "";
        QTest::newRow("spaces and dashes") << "Font size/Body-Large" << "";
        QTest::newRow("dot") << "color.bg" << "contains \".\"";
        QTest::newRow("brace") << "color/{bg}" << "must not contain \"{\"";
        QTest::newRow("close brace") << "color/bg}" << "must not contain \"}\"";
        QTest::newRow("dollar") << "$type" << "must not start with \"$\"";
        QTest::newRow("dollar in group") << "color/$value" << "must not start with \"$\"";
        QTest::newRow("dollar later is fine") << "price/us$" << "";
        QTest::newRow("empty group") << "color//bg" << "empty group";
        QTest::newRow("leading slash") << "/color" << "empty group";
        QTest::newRow("trailing slash") << "color/" << "empty group";
        QTest::newRow("empty") << "" << "empty";
    }
    void names()
    {
        QFETCH(QString, name);
        QFETCH(QString, problem);
        const QString why = ValueParser::checkName(name);
        if (problem.isEmpty())
            QVERIFY2(why.isEmpty(), qPrintable(why));
        else
            QVERIFY2(why.contains(problem), qPrintable(why));
    }

    void shapes_data()
    {
        QTest::addColumn<QString>("text");
        QTest::addColumn<int>("shape");
        QTest::newRow("empty") << "  " << int(Shape::Empty);
        QTest::newRow("colour") << "#fff" << int(Shape::Color);
        QTest::newRow("broken hex") << "#12345" << int(Shape::ColorLike);
        QTest::newRow("broken rgb") << "rgb(300,0,0)" << int(Shape::ColorLike);
        QTest::newRow("hashtag") << "#design" << int(Shape::Text);
        QTest::newRow("rgb word") << "rgbish" << int(Shape::Text);
        QTest::newRow("number") << "4px" << int(Shape::Number);
        QTest::newRow("broken number") << "4pz" << int(Shape::NumberLike);
        QTest::newRow("dash word") << "-webkit-box" << int(Shape::Text);
        QTest::newRow("bool") << "FALSE" << int(Shape::Boolean);
        QTest::newRow("alias") << "{a/b}" << int(Shape::Alias);
        QTest::newRow("text") << "Inter" << int(Shape::Text);
    }
    void shapes()
    {
        QFETCH(QString, text);
        QFETCH(int, shape);
        QCOMPARE(int(ValueParser::shape(text)), shape);
    }

    void inference_data()
    {
        QTest::addColumn<QList<Shape>>("shapes");
        QTest::addColumn<int>("type"); // -1: none (aliases only)
        QTest::newRow("colours") << QList<Shape>{Shape::Color, Shape::Color} << int(VariableType::Color);
        QTest::newRow("colour and broken colour") << QList<Shape>{Shape::Color, Shape::ColorLike} << int(VariableType::Color);
        QTest::newRow("broken colour alone") << QList<Shape>{Shape::ColorLike} << int(VariableType::Color);
        QTest::newRow("colour and alias") << QList<Shape>{Shape::Alias, Shape::Color} << int(VariableType::Color);
        QTest::newRow("colour and empty") << QList<Shape>{Shape::Color, Shape::Empty} << int(VariableType::Color);
        QTest::newRow("numbers") << QList<Shape>{Shape::Number, Shape::Number} << int(VariableType::Float);
        QTest::newRow("number and broken number") << QList<Shape>{Shape::Number, Shape::NumberLike} << int(VariableType::Float);
        QTest::newRow("broken numbers only") << QList<Shape>{Shape::NumberLike, Shape::NumberLike} << int(VariableType::String);
        QTest::newRow("booleans") << QList<Shape>{Shape::Boolean, Shape::Boolean} << int(VariableType::Boolean);
        QTest::newRow("mixed") << QList<Shape>{Shape::Color, Shape::Number} << int(VariableType::String);
        QTest::newRow("text") << QList<Shape>{Shape::Text, Shape::Number} << int(VariableType::String);
        QTest::newRow("aliases only") << QList<Shape>{Shape::Alias, Shape::Alias} << -1;
        QTest::newRow("nothing") << QList<Shape>{Shape::Empty} << -1;
    }
    void inference()
    {
        QFETCH(QList<Shape>, shapes);
        QFETCH(int, type);
        const auto inferred = ValueParser::inferType(shapes);
        QCOMPARE(inferred ? int(*inferred) : -1, type);
    }

    void shapeFillsValue()
    {
        VariableValue v;
        QCOMPARE(ValueParser::shape(u"rgb(0 0 0 / 50%)", &v), Shape::Color);
        QCOMPARE(v.color.hex(), QStringLiteral("#00000080"));
        QCOMPARE(ValueParser::shape(u"1.5rem", &v), Shape::Number);
        QCOMPARE(v.number, 1.5);
        QCOMPARE(v.unit, QStringLiteral("rem"));
        QCOMPARE(ValueParser::shape(u"{a.b}", &v), Shape::Alias);
        QCOMPARE(v.text, QStringLiteral("a/b"));
    }
};

QTEST_GUILESS_MAIN(TstValueParser)
#include "tst_value_parser.moc"
