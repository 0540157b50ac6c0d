#pragma once

#include "rollout/RolloutPlan.h"

#include <QDialog>

#include <optional>

class QButtonGroup;
class QComboBox;
class QDialogButtonBox;
class QLabel;
class QLineEdit;
class QRadioButton;

namespace sp {

class ConsoleContext;

// "Start rollout…": a flag, a template (phases shown in words) or a custom plan text checked as it
// is typed (the parse error names the phase at fault), an optional reason. OK is enabled only for
// a valid plan; OK starts the rollout through RolloutStore and closes, or shows why it could not
// start and leaves everything as it was. Opened with open(), never exec().
class StartRolloutDialog : public QDialog
{
    Q_OBJECT

public:
    explicit StartRolloutDialog(ConsoleContext &context, QWidget *parent = nullptr);

    void setFlag(const QString &key);
    // The plan as entered, or nullopt with the reason in planError().
    std::optional<RolloutPlan> plan() const;
    QString planError() const;

public Q_SLOTS:
    void accept() override;

Q_SIGNALS:
    void started(const QString &flagKey);

private:
    void validate();

    ConsoleContext &m_ctx;
    QComboBox *m_flag = nullptr;
    QRadioButton *m_useTemplate = nullptr;
    QRadioButton *m_useCustom = nullptr;
    QComboBox *m_template = nullptr;
    QLineEdit *m_planText = nullptr;
    QLabel *m_preview = nullptr;
    QLabel *m_error = nullptr;
    QLineEdit *m_reason = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
    QString m_planError;
};

} // namespace sp
