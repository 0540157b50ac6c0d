#include "EnglishPlurals.h"

#include <QCoreApplication>

namespace sp {

QString EnglishPlurals::translate(const char *, const char *sourceText, const char *, int n) const
{
    if (n < 0 || !sourceText)
        return {};
    QString text = QString::fromUtf8(sourceText);
    if (!text.contains(QLatin1String("(s)")))
        return {};
    return text.replace(QLatin1String("(s)"), n == 1 ? QString() : QStringLiteral("s"));
}

void EnglishPlurals::install(QCoreApplication *app)
{
    QCoreApplication::installTranslator(new EnglishPlurals(app));
}

} // namespace sp
