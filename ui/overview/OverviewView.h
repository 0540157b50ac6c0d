#pragma once

#include <QWidget>

namespace sp {

class ConsoleContext;

// What needs attention now: running rollouts, health per flag, the last sync of each config, open circuit breakers and the latest controller decisions.
class OverviewView : public QWidget
{
    Q_OBJECT

public:
    explicit OverviewView(ConsoleContext &context, QWidget *parent = nullptr);
    ~OverviewView() override;

private:
    ConsoleContext &m_ctx;
};

} // namespace sp
