#include "ConsoleContext.h"

#include "auth/SignedInAccount.h"
#include "common/Clock.h"
#include "rollout/BackgroundAgent.h"
#include "workspace/Workspace.h"
#include "workspace/WorkspaceTaskRunner.h"
#include "workspace/WorkspaceWatcher.h"

namespace sp {

ConsoleContext::ConsoleContext(Workspace &workspace, QString location, QObject *parent)
    : QObject(parent), m_ws(workspace), m_location(std::move(location))
{
    // 250 ms: a change made anywhere shows within a second, with room for the reload itself.
    m_watcher = new WorkspaceWatcher(m_ws, 250, this);
    m_tasks = new WorkspaceTaskRunner(m_location, this);
}

ConsoleContext::~ConsoleContext() = default;

const Clock &ConsoleContext::clock() const { return Clock::current(); }

bool ConsoleContext::isReadOnly() const { return m_ws.isReadOnly(); }

void ConsoleContext::setAgent(BackgroundAgent *agent)
{
    m_agent = agent;
    Q_EMIT agentChanged();
}

ChangeContext ConsoleContext::change(const QString &reason) const
{
    ChangeContext ctx = ChangeContext::local(QStringLiteral("gui"), reason);
    ctx.account = account();
    return ctx;
}

QString ConsoleContext::account() const { return SignedInAccount::current(); }

} // namespace sp
