#include "sync/VariableCollection.h"

#include "sync/NameIndex.h"

#include <QCryptographicHash>
#include <QLocale>

#include <algorithm>
#include <cmath>

namespace sp {

QString variableTypeName(VariableType type)
{
    switch (type) {
    case VariableType::Color: return QStringLiteral("COLOR");
    case VariableType::Float: return QStringLiteral("FLOAT");
    case VariableType::Boolean: return QStringLiteral("BOOLEAN");
    case VariableType::String: return QStringLiteral("STRING");
    }
    return {};
}

bool parseVariableType(const QString &text, VariableType *type)
{
    const QStringView t = QStringView(text).trimmed();
    const auto is = [t](QLatin1StringView word) { return t.compare(word, Qt::CaseInsensitive) == 0; };
    if (is(QLatin1StringView("color")) || is(QLatin1StringView("colour")))
        *type = VariableType::Color;
    else if (is(QLatin1StringView("float")) || is(QLatin1StringView("number")) || is(QLatin1StringView("dimension")))
        *type = VariableType::Float;
    else if (is(QLatin1StringView("boolean")) || is(QLatin1StringView("bool")))
        *type = VariableType::Boolean;
    else if (is(QLatin1StringView("string")) || is(QLatin1StringView("text")))
        *type = VariableType::String;
    else
        return false;
    return true;
}

static quint32 channel(double c)
{
    const double clamped = std::clamp(c, 0.0, 1.0);
    return quint32(std::lround(clamped * 255.0));
}

quint32 Rgba::packed() const
{
    return (channel(r) << 24) | (channel(g) << 16) | (channel(b) << 8) | channel(a);
}

QString Rgba::hex() const
{
    static const char digits[] = "0123456789abcdef";
    const quint32 p = packed();
    const int count = (p & 0xff) == 0xff ? 3 : 4;
    QString out(1 + 2 * count, u'#');
    for (int i = 0; i < count; ++i) {
        const quint32 byte = (p >> (24 - 8 * i)) & 0xff;
        out[1 + 2 * i] = QLatin1Char(digits[byte >> 4]);
        out[2 + 2 * i] = QLatin1Char(digits[byte & 0xf]);
    }
    return out;
}

bool VariableValue::operator==(const VariableValue &o) const
{
    if (kind != o.kind)
        return false;
    switch (kind) {
    case Kind::Color: return color == o.color;
    case Kind::Number: return number == o.number && unit == o.unit;
    case Kind::Boolean: return boolean == o.boolean;
    case Kind::String:
    case Kind::Alias: return text == o.text;
    }
    return false;
}

QString VariableValue::display() const
{
    switch (kind) {
    case Kind::Color: return color.hex();
    case Kind::Number: return QString::number(number, 'g', 15) + unit;
    case Kind::Boolean: return boolean ? QStringLiteral("true") : QStringLiteral("false");
    case Kind::String: return u'"' + text + u'"';
    case Kind::Alias: return u'{' + text + u'}';
    }
    return {};
}

// The names indexed so far (copies that share the variables' text, so the index's views stay
// valid whatever happens to the variables) and the index over them. names.size() is how many
// variables were indexed, duplicates included: comparing the index's size with the list's made
// every call rebuild it when names repeat.
struct VariableCollection::NameLookup
{
    QStringList names;
    NameIndex index;
};

int VariableCollection::indexOf(const QString &name) const
{
    const qsizetype count = variables.size();
    const auto rebuild = [this, count] {
        m_lookup = std::make_shared<NameLookup>(NameLookup{{}, NameIndex(count)});
        m_lookup->names.reserve(count);
    };
    const auto indexNew = [this, count] {
        for (qsizetype i = m_lookup->names.size(); i < count; ++i) {
            m_lookup->names.append(variables.at(i).name);
            m_lookup->index.insert(m_lookup->names.constLast(), int(i)); // keeps the first of duplicates
        }
    };
    if (!m_lookup || m_lookup->names.size() > count)
        rebuild();
    else if (m_lookup->names.size() < count && m_lookup.use_count() > 1)
        m_lookup = std::make_shared<NameLookup>(*m_lookup); // shared with a copy: extend our own
    indexNew();
    int i = m_lookup->index.find(name);
    if (i >= 0 && variables.at(i).name != name) {
        rebuild();
        indexNew();
        i = m_lookup->index.find(name);
    }
    return i;
}

const Variable *VariableCollection::find(const QString &name) const
{
    const int i = indexOf(name);
    return i < 0 ? nullptr : &variables.at(i);
}

QByteArray VariableCollection::contentHash() const
{
    QCryptographicHash h(QCryptographicHash::Sha256);
    auto add = [&h](const QString &s) {
        const QByteArray u = s.toUtf8();
        const quint32 n = quint32(u.size());
        h.addData(QByteArrayView(reinterpret_cast<const char *>(&n), sizeof n));
        h.addData(u);
    };
    add(name);
    for (const QString &m : modes)
        add(m);
    for (const Variable &v : variables) {
        add(v.name);
        add(variableTypeName(v.type));
        add(v.description);
        for (const VariableValue &value : v.values)
            add(QString::number(int(value.kind)) + u':' + value.display());
    }
    return h.result().toHex();
}

} // namespace sp
