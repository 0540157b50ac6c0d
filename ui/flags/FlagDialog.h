#pragma once

#include "flags/Flag.h"
#include "flags/FlagStore.h"

#include <QDialog>

#include <functional>
#include <optional>

class QCheckBox;
class QDialogButtonBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QListWidget;
class QPlainTextEdit;

namespace sp {

// Creates a flag or edits one: key (create only), description, tags (comma separated),
// prerequisites (picked from the existing flags), included / excluded segments, on/off and the
// rollout percentage. Checks the fields as they are typed with core's own rules and says which
// field is wrong; OK is enabled only when they pass. On OK the submitter (the page, which writes
// through FlagStore) is called; if it refuses, its message is shown and the dialog stays open, so
// nothing changes on bad input.
class FlagDialog : public QDialog
{
    Q_OBJECT

public:
    enum class Mode { Create, Edit };
    // Returns an empty string on success, else the (translated) reason it was refused.
    using Submitter = std::function<QString(FlagDialog &)>;

    // snapshot: the flags and segments to choose from. flag: the flag to edit (Edit mode).
    FlagDialog(Mode mode, const FlagSnapshot &snapshot, const std::optional<Flag> &flag, QWidget *parent = nullptr);

    Mode mode() const { return m_mode; }
    void setSubmitter(Submitter submitter) { m_submitter = std::move(submitter); }

    // What the fields say (valid only when problem() is empty).
    FlagDraft draft() const;
    // The change against the edited flag, with its version as the expected one.
    FlagPatch patch() const;
    QString key() const;

    // The first problem of the local checks, naming the field ("Key: …"); empty when they pass.
    QString problem() const;
    // The message shown under the fields (a local problem or the store's refusal).
    QString message() const;

public Q_SLOTS:
    void accept() override;

private:
    void validate();
    QStringList tags() const;
    static QStringList checked(const QListWidget *list);

    Mode m_mode;
    std::optional<Flag> m_flag;
    QStringList m_existingKeys;
    Submitter m_submitter;

    QLineEdit *m_keyEdit = nullptr;
    QLineEdit *m_descriptionEdit = nullptr;
    QLineEdit *m_tagsEdit = nullptr;
    QListWidget *m_prerequisites = nullptr;
    QListWidget *m_include = nullptr;
    QListWidget *m_exclude = nullptr;
    QCheckBox *m_enabled = nullptr;
    QDoubleSpinBox *m_percent = nullptr;
    QLabel *m_message = nullptr;
    QDialogButtonBox *m_buttons = nullptr;
};

} // namespace sp
