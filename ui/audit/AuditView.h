#pragma once

#include <QWidget>

namespace sp {

class ConsoleContext;

// The audit log: filterable table, chain verification and exports (CSV, JSON Lines, PDF).
class AuditView : public QWidget
{
    Q_OBJECT

public:
    explicit AuditView(ConsoleContext &context, QWidget *parent = nullptr);
    ~AuditView() override;

private:
    ConsoleContext &m_ctx;
};

} // namespace sp
