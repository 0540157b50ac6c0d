#pragma once

#include <QTranslator>

class QCoreApplication;

namespace sp {

// Source strings are English with Qt's numerus marker: tr("%n flag(s)", nullptr, n). Without a
// translation Qt prints them as written ("1 flag(s)"). This translator, installed first, turns
// "(s)" into the right English form for n; real translations (German) are installed after it and
// take precedence.
class EnglishPlurals final : public QTranslator
{
public:
    using QTranslator::QTranslator;
    QString translate(const char *context, const char *sourceText, const char *disambiguation = nullptr, int n = -1) const override;
    bool isEmpty() const override { return false; }

    static void install(QCoreApplication *app);
};

} // namespace sp
