#pragma once

#include <QWidget>

namespace sp {

class ConsoleContext;

// Live charts per flag and cohort (sync vs legacy) over run records, with guardrail thresholds and markers where the controller acted.
class HealthView : public QWidget
{
    Q_OBJECT

public:
    explicit HealthView(ConsoleContext &context, QWidget *parent = nullptr);
    ~HealthView() override;

private:
    ConsoleContext &m_ctx;
};

} // namespace sp
