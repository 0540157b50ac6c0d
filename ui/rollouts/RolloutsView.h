#pragma once

#include <QWidget>

namespace sp {

class ConsoleContext;

// Each rollout plan as a timeline of phases, its guardrails in words, the manual steps, the decision ledger and backtests.
class RolloutsView : public QWidget
{
    Q_OBJECT

public:
    explicit RolloutsView(ConsoleContext &context, QWidget *parent = nullptr);
    ~RolloutsView() override;

private:
    ConsoleContext &m_ctx;
};

} // namespace sp
