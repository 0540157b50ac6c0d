#include "Translations.h"

#include "common/EnglishPlurals.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QPointer>
#include <QTranslator>

namespace sp {

namespace {

bool install(QPointer<QTranslator> &slot, const QLocale &locale, const QString &name, const QString &dir)
{
    delete slot.data(); // uninstalls itself
    auto *translator = new QTranslator(QCoreApplication::instance());
    if (!translator->load(locale, name, QStringLiteral("_"), dir)) {
        delete translator;
        return false;
    }
    QCoreApplication::installTranslator(translator);
    slot = translator;
    return true;
}

} // namespace

bool installTranslations(const QLocale &locale)
{
    static bool plurals = false;
    if (!plurals) { // English numerus forms first: real translations installed later take precedence
        EnglishPlurals::install(QCoreApplication::instance());
        plurals = true;
    }
    static QPointer<QTranslator> qtTranslator;
    static QPointer<QTranslator> appTranslator;
    install(qtTranslator, locale, QStringLiteral("qtbase"), QLibraryInfo::path(QLibraryInfo::TranslationsPath));
    return install(appTranslator, locale, QStringLiteral("syncpilot"), QStringLiteral(":/i18n"));
}

} // namespace sp
