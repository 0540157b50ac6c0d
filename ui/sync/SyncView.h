#pragma once

#include <QWidget>

namespace sp {

class ConsoleContext;

// Sync configs: source and sign-in, mapping preview with every cell problem, the diff a run would write, per-target state, mode, run now and undo.
class SyncView : public QWidget
{
    Q_OBJECT

public:
    explicit SyncView(ConsoleContext &context, QWidget *parent = nullptr);
    ~SyncView() override;

private:
    ConsoleContext &m_ctx;
};

} // namespace sp
