#include "sync/ValueParser.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>

namespace sp {

namespace {

bool isDigit(QChar c) { return c >= u'0' && c <= u'9'; }

// QStringView::trimmed() is a library call; most cells have nothing to trim, and each cell is
// trimmed by every parser that looks at it.
QStringView trimmedView(QStringView s)
{
    if (s.isEmpty() || (!s.front().isSpace() && !s.back().isSpace()))
        return s;
    return s.trimmed();
}

int hexValue(QChar c)
{
    const char16_t u = c.unicode();
    if (u >= u'0' && u <= u'9')
        return u - u'0';
    if (u >= u'a' && u <= u'f')
        return u - u'a' + 10;
    if (u >= u'A' && u <= u'F')
        return u - u'A' + 10;
    return -1;
}

// ASCII-only and inline: it runs on every cell that type inference looks at.
bool startsWithNoCase(QStringView text, QLatin1StringView prefix)
{
    if (text.size() < prefix.size())
        return false;
    for (qsizetype i = 0; i < prefix.size(); ++i) {
        const char16_t c = text[i].unicode();
        if ((c >= u'A' && c <= u'Z' ? c + 32 : c) != char16_t(prefix[i].unicode()))
            return false;
    }
    return true;
}

// Length of the decimal number at the start of s ([+-]? digits [. digits] [e[+-]digits], or
// ".5"), 0 when s does not start with one. An "e" not followed by digits is left for the unit
// ("1em" is one em, not a broken exponent).
qsizetype scanNumber(QStringView s)
{
    qsizetype i = 0;
    const qsizetype n = s.size();
    if (i < n && (s[i] == u'+' || s[i] == u'-'))
        ++i;
    qsizetype digits = 0;
    while (i < n && isDigit(s[i]))
        ++i, ++digits;
    if (i < n && s[i] == u'.') {
        ++i;
        while (i < n && isDigit(s[i]))
            ++i, ++digits;
    }
    if (digits == 0)
        return 0;
    if (i < n && (s[i] == u'e' || s[i] == u'E')) {
        qsizetype j = i + 1;
        if (j < n && (s[j] == u'+' || s[j] == u'-'))
            ++j;
        if (j < n && isDigit(s[j])) {
            while (j < n && isDigit(s[j]))
                ++j;
            i = j;
        }
    }
    return i;
}

// Converts an ASCII number already matched by scanNumber. False when it overflows a double.
bool toDouble(QStringView s, double *out)
{
    // Plain decimals of up to 15 digits ("12", "-0.64") are the common case: the digits as an
    // integer and the power of ten are both exact doubles, so one division rounds correctly
    // and from_chars (with its copy to a char buffer) is not needed.
    static constexpr std::array<double, 16> powers{1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7,
                                                   1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15};
    {
        qsizetype i = 0;
        const bool negative = !s.isEmpty() && s[0] == u'-';
        if (!s.isEmpty() && (s[0] == u'-' || s[0] == u'+'))
            ++i;
        quint64 mantissa = 0;
        int digits = 0;
        int decimals = -1;
        for (; i < s.size(); ++i) {
            const char16_t c = s[i].unicode();
            if (c >= u'0' && c <= u'9') {
                if (++digits > 15)
                    break;
                mantissa = mantissa * 10 + (c - u'0');
                if (decimals >= 0)
                    ++decimals;
            } else if (c == u'.' && decimals < 0) {
                decimals = 0;
            } else {
                break;
            }
        }
        if (i == s.size() && digits > 0) {
            const double value = double(mantissa) / powers[size_t(std::max(decimals, 0))];
            *out = negative ? -value : value;
            return true;
        }
    }
    std::array<char, 64> buffer{};
    if (!s.isEmpty() && s[0] == u'+')
        s = s.mid(1);
    if (s.size() >= qsizetype(buffer.size()))
        return false;
    for (qsizetype i = 0; i < s.size(); ++i)
        buffer[size_t(i)] = char(s[i].unicode());
    double value = 0;
    const auto [ptr, ec] = std::from_chars(buffer.data(), buffer.data() + s.size(), value);
    if (ec != std::errc() || ptr != buffer.data() + s.size() || !std::isfinite(value))
        return false;
    *out = value;
    return true;
}

// The units a FLOAT may carry: CSS lengths, angles and times, and Android's dp/sp. A closed list,
// so a typo ("12pz") is reported instead of becoming a unit.
const QString *knownUnit(QStringView unit)
{
    static const std::array<QString, 31> units = {
        QStringLiteral("px"),  QStringLiteral("rem"),  QStringLiteral("em"),   QStringLiteral("%"),
        QStringLiteral("pt"),  QStringLiteral("pc"),   QStringLiteral("cm"),   QStringLiteral("mm"),
        QStringLiteral("in"),  QStringLiteral("vh"),   QStringLiteral("vw"),   QStringLiteral("vmin"),
        QStringLiteral("vmax"), QStringLiteral("dvh"), QStringLiteral("dvw"),  QStringLiteral("svh"),
        QStringLiteral("svw"), QStringLiteral("lvh"),  QStringLiteral("lvw"),  QStringLiteral("ch"),
        QStringLiteral("ex"),  QStringLiteral("ms"),   QStringLiteral("s"),    QStringLiteral("deg"),
        QStringLiteral("rad"), QStringLiteral("grad"), QStringLiteral("turn"), QStringLiteral("dp"),
        QStringLiteral("sp"),  QStringLiteral("fr"),   QStringLiteral("lh"),
    };
    for (const QString &u : units) {
        if (u.size() == unit.size() && unit.compare(u, Qt::CaseInsensitive) == 0)
            return &u;
    }
    return nullptr;
}

// A colour function's argument: a number, optionally followed by "%" (or "deg" for a hue).
struct Component
{
    double value = 0;
    bool percent = false;
    bool ok = false;
};

Component component(QStringView s, bool hue)
{
    Component c;
    s = trimmedView(s);
    const qsizetype n = scanNumber(s);
    if (n == 0 || !toDouble(s.left(n), &c.value))
        return c;
    const QStringView rest = s.mid(n);
    if (rest == u"%")
        c.percent = true;
    else if (!rest.isEmpty() && !(hue && rest.compare(u"deg", Qt::CaseInsensitive) == 0))
        return c;
    c.ok = true;
    return c;
}

double hueToChannel(double p, double q, double t)
{
    if (t < 0)
        t += 1;
    if (t > 1)
        t -= 1;
    if (t < 1.0 / 6)
        return p + (q - p) * 6 * t;
    if (t < 0.5)
        return q;
    if (t < 2.0 / 3)
        return p + (q - p) * (2.0 / 3 - t) * 6;
    return p;
}

} // namespace

bool ValueParser::parseColor(QStringView text, Rgba *color, QString *error)
{
    const QStringView t = trimmedView(text);
    auto notColour = [&](const QString &why = {}) {
        if (error)
            *error = why.isEmpty() ? tr("\"%1\" is not a colour").arg(text)
                                   : tr("\"%1\" is not a colour: %2").arg(text, why);
        return false;
    };

    if (t.startsWith(u'#')) {
        const QStringView digits = t.mid(1);
        const qsizetype n = digits.size();
        if (n != 3 && n != 4 && n != 6 && n != 8)
            return notColour();
        std::array<int, 4> channels{0, 0, 0, 255};
        const int width = n <= 4 ? 1 : 2;
        for (qsizetype i = 0; i < n / width; ++i) {
            int v = 0;
            for (int k = 0; k < width; ++k) {
                const int h = hexValue(digits[i * width + k]);
                if (h < 0)
                    return notColour();
                v = v * 16 + h;
            }
            channels[size_t(i)] = width == 1 ? v * 17 : v;
        }
        *color = Rgba{channels[0] / 255.0, channels[1] / 255.0, channels[2] / 255.0, channels[3] / 255.0};
        return true;
    }

    const bool isRgb = startsWithNoCase(t, QLatin1StringView("rgb"));
    const bool isHsl = startsWithNoCase(t, QLatin1StringView("hsl"));
    if (!isRgb && !isHsl)
        return notColour();
    qsizetype open = 3;
    if (open < t.size() && (t[open] == u'a' || t[open] == u'A'))
        ++open;
    if (open >= t.size() || t[open] != u'(' || !t.endsWith(u')'))
        return notColour(tr("write %1(…) with the values in parentheses").arg(isRgb ? QStringLiteral("rgb") : QStringLiteral("hsl")));
    const QStringView inner = t.mid(open + 1, t.size() - open - 2);

    // CSS Color 4 allows both "r, g, b[, a]" and "r g b[ / a]". A fixed array: no allocation
    // per cell; more than 4 parts are only counted, for the message.
    std::array<QStringView, 4> parts;
    qsizetype partCount = 0;
    auto add = [&parts, &partCount](QStringView part) {
        if (partCount < qsizetype(parts.size()))
            parts[size_t(partCount)] = part;
        ++partCount;
    };
    if (inner.contains(u',')) {
        for (QStringView part : inner.tokenize(u','))
            add(trimmedView(part));
    } else {
        const qsizetype slash = inner.indexOf(u'/');
        const QStringView channels = slash < 0 ? inner : inner.left(slash);
        for (QStringView part : channels.tokenize(u' ', Qt::SkipEmptyParts))
            add(part);
        if (slash >= 0)
            add(trimmedView(inner.mid(slash + 1)));
    }
    if (partCount != 3 && partCount != 4)
        return notColour(tr("expected 3 values and an optional alpha, found %1").arg(partCount));

    double alpha = 1;
    if (partCount == 4) {
        const Component a = component(parts[3], false);
        if (!a.ok)
            return notColour(tr("alpha \"%1\" is not a number").arg(parts[3]));
        alpha = a.percent ? a.value / 100 : a.value;
        if (alpha < 0 || alpha > 1)
            return notColour(tr("alpha %1 is outside 0–1 (or 0%–100%)").arg(parts[3]));
    }

    if (isRgb) {
        std::array<double, 3> rgb{};
        for (int i = 0; i < 3; ++i) {
            const Component c = component(parts[i], false);
            if (!c.ok)
                return notColour(tr("\"%1\" is not a number").arg(parts[i]));
            if (c.percent ? (c.value < 0 || c.value > 100) : (c.value < 0 || c.value > 255))
                return notColour(tr("%1 is outside 0–255 (or 0%–100%)").arg(parts[i]));
            rgb[size_t(i)] = c.percent ? c.value / 100 : c.value / 255;
        }
        *color = Rgba{rgb[0], rgb[1], rgb[2], alpha};
        return true;
    }

    const Component h = component(parts[0], true);
    if (!h.ok || h.percent)
        return notColour(tr("hue \"%1\" is not an angle in degrees").arg(parts[0]));
    std::array<double, 2> sl{};
    for (int i = 1; i < 3; ++i) {
        const Component c = component(parts[i], false);
        if (!c.ok)
            return notColour(tr("\"%1\" is not a percentage").arg(parts[i]));
        if (c.value < 0 || c.value > 100)
            return notColour(tr("%1 is outside 0%–100%").arg(parts[i]));
        sl[size_t(i - 1)] = c.value / 100;
    }
    const double hue = std::fmod(std::fmod(h.value, 360.0) + 360.0, 360.0) / 360.0;
    const double s = sl[0];
    const double l = sl[1];
    if (s == 0) {
        *color = Rgba{l, l, l, alpha};
        return true;
    }
    const double q = l < 0.5 ? l * (1 + s) : l + s - l * s;
    const double p = 2 * l - q;
    *color = Rgba{hueToChannel(p, q, hue + 1.0 / 3), hueToChannel(p, q, hue), hueToChannel(p, q, hue - 1.0 / 3), alpha};
    return true;
}

bool ValueParser::parseNumber(QStringView text, double *number, QString *unit, QString *error)
{
    const QStringView t = trimmedView(text);
    const qsizetype n = scanNumber(t);
    if (n == 0) {
        if (error)
            *error = tr("\"%1\" is not a number").arg(text);
        return false;
    }
    double value = 0;
    if (!toDouble(t.left(n), &value)) {
        if (error)
            *error = tr("\"%1\" is not a number: out of range").arg(text);
        return false;
    }
    const QStringView rest = t.mid(n);
    const QString *known = rest.isEmpty() ? nullptr : knownUnit(rest);
    if (!rest.isEmpty() && !known) {
        if (error)
            *error = tr("\"%1\" is not a number: unknown unit \"%2\" (use px, rem, em, %, pt, ms, s, deg, …)").arg(text, rest);
        return false;
    }
    *number = value;
    *unit = known ? *known : QString();
    return true;
}

bool ValueParser::parseBoolean(QStringView text, bool *value, QString *error)
{
    const QStringView t = trimmedView(text);
    // The size check spares the comparisons for the text cells type inference tries.
    if (t.size() >= 2 && t.size() <= 5) {
        if (t.compare(u"true", Qt::CaseInsensitive) == 0 || t.compare(u"yes", Qt::CaseInsensitive) == 0) {
            *value = true;
            return true;
        }
        if (t.compare(u"false", Qt::CaseInsensitive) == 0 || t.compare(u"no", Qt::CaseInsensitive) == 0) {
            *value = false;
            return true;
        }
    }
    if (error)
        *error = tr("\"%1\" is not a boolean (use true or false)").arg(text);
    return false;
}

bool ValueParser::looksLikeAlias(QStringView text)
{
    const QStringView t = trimmedView(text);
    return t.size() >= 2 && t.startsWith(u'{') && t.endsWith(u'}');
}

bool ValueParser::parseAlias(QStringView text, QString *name, QString *error)
{
    if (!looksLikeAlias(text)) {
        if (error)
            *error = tr("\"%1\" is not an alias (write {group/name})").arg(text);
        return false;
    }
    const QStringView t = trimmedView(text);
    QString target = t.mid(1, t.size() - 2).trimmed().toString();
    target.replace(u'.', u'/');
    const QString why = checkName(target);
    if (!why.isEmpty()) {
        if (error)
            *error = tr("\"%1\" is not a valid alias: %2").arg(text, why);
        return false;
    }
    *name = target;
    return true;
}

QString ValueParser::checkName(QStringView name)
{
    if (name.isEmpty())
        return tr("the name is empty");
    qsizetype segmentStart = 0;
    for (qsizetype i = 0; i <= name.size(); ++i) {
        if (i == name.size() || name[i] == u'/') {
            if (i == segmentStart)
                return tr("name \"%1\" has an empty group (\"//\", or \"/\" at the start or end)").arg(name);
            if (name[segmentStart] == u'$')
                return tr("name \"%1\": a group must not start with \"$\"").arg(name);
            segmentStart = i + 1;
            continue;
        }
        const QChar c = name[i];
        if (c == u'.')
            return tr("name \"%1\" contains \".\"; use \"/\" to make groups").arg(name);
        if (c == u'{' || c == u'}')
            return tr("name \"%1\" must not contain \"%2\"").arg(name, QString(c));
    }
    return {};
}

bool ValueParser::parse(const QString &text, VariableType type, VariableValue *value, QString *error)
{
    if (looksLikeAlias(text)) {
        QString target;
        if (!parseAlias(text, &target, error))
            return false;
        *value = VariableValue::ofAlias(target);
        return true;
    }
    switch (type) {
    case VariableType::Color: {
        Rgba c;
        if (!parseColor(text, &c, error))
            return false;
        *value = VariableValue::ofColor(c);
        return true;
    }
    case VariableType::Float: {
        double n = 0;
        QString unit;
        if (!parseNumber(text, &n, &unit, error))
            return false;
        *value = VariableValue::ofNumber(n, unit);
        return true;
    }
    case VariableType::Boolean: {
        bool b = false;
        if (!parseBoolean(text, &b, error))
            return false;
        *value = VariableValue::ofBoolean(b);
        return true;
    }
    case VariableType::String:
        *value = VariableValue::ofString(text);
        return true;
    }
    return false;
}

ValueParser::Shape ValueParser::shape(QStringView text, VariableValue *value)
{
    const QStringView t = trimmedView(text);
    if (t.isEmpty())
        return Shape::Empty;
    if (looksLikeAlias(t)) {
        QString target;
        if (value && parseAlias(t, &target))
            *value = VariableValue::ofAlias(target);
        return Shape::Alias;
    }
    const QChar first = t[0];
    if (first == u'#' || startsWithNoCase(t, QLatin1StringView("rgb")) || startsWithNoCase(t, QLatin1StringView("hsl"))) {
        Rgba c;
        if (parseColor(t, &c)) {
            if (value)
                *value = VariableValue::ofColor(c);
            return Shape::Color;
        }
        if (first == u'#') {
            bool hex = t.size() > 1;
            for (QChar ch : t.mid(1))
                hex = hex && hexValue(ch) >= 0;
            return hex ? Shape::ColorLike : Shape::Text;
        }
        return t.contains(u'(') ? Shape::ColorLike : Shape::Text;
    }
    if (isDigit(first) || first == u'-' || first == u'+' || first == u'.') {
        double n = 0;
        QString unit;
        if (parseNumber(t, &n, &unit)) {
            if (value)
                *value = VariableValue::ofNumber(n, unit);
            return Shape::Number;
        }
        return scanNumber(t) > 0 ? Shape::NumberLike : Shape::Text;
    }
    bool b = false;
    if (parseBoolean(t, &b)) {
        if (value)
            *value = VariableValue::ofBoolean(b);
        return Shape::Boolean;
    }
    return Shape::Text;
}

std::optional<VariableType> ValueParser::inferType(const QList<Shape> &shapes)
{
    int literals = 0, colours = 0, numbers = 0, validNumbers = 0, booleans = 0;
    for (const Shape s : shapes) {
        switch (s) {
        case Shape::Empty:
        case Shape::Alias:
            continue;
        case Shape::Color:
        case Shape::ColorLike: ++colours; break;
        case Shape::Number: ++validNumbers; ++numbers; break;
        case Shape::NumberLike: ++numbers; break;
        case Shape::Boolean: ++booleans; break;
        case Shape::Text: break;
        }
        ++literals;
    }
    if (literals == 0)
        return std::nullopt;
    if (colours == literals)
        return VariableType::Color;
    if (numbers == literals && validNumbers > 0)
        return VariableType::Float;
    if (booleans == literals)
        return VariableType::Boolean;
    return VariableType::String;
}

} // namespace sp
