#include "sync/VariableCollection.h"

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
    const QString t = text.trimmed().toLower();
    if (t == QLatin1String("color") || t == QLatin1String("colour"))
        *type = VariableType::Color;
    else if (t == QLatin1String("float") || t == QLatin1String("number") || t == QLatin1String("dimension"))
        *type = VariableType::Float;
    else if (t == QLatin1String("boolean") || t == QLatin1String("bool"))
        *type = VariableType::Boolean;
    else if (t == QLatin1String("string") || t == QLatin1String("text"))
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

int VariableCollection::indexOf(const QString &name) const
{
    // The index is rebuilt when the list changed size or the entry found no longer matches (an
    // edit in place). Callers that rename variables in place must not rely on misses.
    auto rebuild = [this] {
        m_index.clear();
        m_index.reserve(variables.size());
        for (int i = 0; i < variables.size(); ++i)
            m_index.insert(variables.at(i).name, i);
    };
    if (m_index.size() != variables.size())
        rebuild();
    auto it = m_index.constFind(name);
    if (it != m_index.constEnd() && (*it >= variables.size() || variables.at(*it).name != name)) {
        rebuild();
        it = m_index.constFind(name);
    }
    return it == m_index.constEnd() ? -1 : *it;
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
