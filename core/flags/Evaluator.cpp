#include "Evaluator.h"

#include "Murmur3.h"
#include "common/Error.h"

#include <optional>

namespace sp {

Evaluator::Evaluator(const FlagSnapshot &snapshot)
{
    std::unordered_map<std::string, int> segmentIndex;
    for (const Segment &s : snapshot.segments) {
        CompiledSegment c;
        for (const QString &k : s.keys)
            c.keys.insert(k.toStdString());
        for (const SegmentRule &r : s.rules) {
            Rule rule{r.attribute.toStdString(), r.op, {}};
            for (const QString &v : r.values)
                rule.values.push_back(v.toStdString());
            c.rules.push_back(std::move(rule));
        }
        segmentIndex.emplace(s.name.toStdString(), static_cast<int>(m_segments.size()));
        m_segmentNames.push_back(s.name.toStdString());
        m_segments.push_back(std::move(c));
    }
    for (const Flag &f : snapshot.flags)
        m_index.emplace(f.key.toStdString(), static_cast<int>(m_index.size()));
    m_flags.resize(m_index.size());
    int i = 0;
    for (const Flag &f : snapshot.flags) {
        CompiledFlag &c = m_flags[i++];
        c.key = f.key.toStdString();
        c.enabled = f.enabled;
        c.killed = snapshot.killSwitch && f.isSync();
        c.onWeight = static_cast<std::uint32_t>(f.percentTenths);
        for (const QString &p : f.prerequisites) {
            auto it = m_index.find(p.toStdString());
            // A prerequisite that no longer exists cannot be on.
            c.prerequisites.push_back(it == m_index.end() ? -1 : it->second);
        }
        for (const QString &s : f.includeSegments)
            if (auto it = segmentIndex.find(s.toStdString()); it != segmentIndex.end())
                c.include.push_back(it->second);
        for (const QString &s : f.excludeSegments)
            if (auto it = segmentIndex.find(s.toStdString()); it != segmentIndex.end())
                c.exclude.push_back(it->second);
    }
}

int Evaluator::indexOf(const QString &key) const
{
    auto it = m_index.find(key.toStdString());
    return it == m_index.end() ? -1 : it->second;
}

bool Evaluator::matches(const CompiledSegment &segment, const EvalContext &context) const
{
    if (!segment.keys.empty() && segment.keys.contains(context.targetingKey))
        return true;
    if (segment.rules.empty())
        return false;
    for (const Rule &rule : segment.rules) {
        // The same semantics as JSONLogic over the published file: a missing attribute is null,
        // which equals nothing, is in no list, and neither starts nor ends with anything.
        std::optional<std::string_view> value;
        if (rule.attribute == "targetingKey") {
            value = context.targetingKey;
        } else if (context.attributes) {
            auto it = context.attributes->find(rule.attribute);
            if (it != context.attributes->end())
                value = it->second;
        }
        bool ok = false;
        switch (rule.op) {
        case SegmentRule::Op::Equals: ok = value && *value == rule.values.front(); break;
        case SegmentRule::Op::NotEquals: ok = !(value && *value == rule.values.front()); break;
        case SegmentRule::Op::In:
            ok = value && std::find(rule.values.begin(), rule.values.end(), *value) != rule.values.end();
            break;
        case SegmentRule::Op::StartsWith: ok = value && value->starts_with(rule.values.front()); break;
        case SegmentRule::Op::EndsWith: ok = value && value->ends_with(rule.values.front()); break;
        }
        if (!ok)
            return false;
    }
    return true;
}

Decision Evaluator::evaluate(int flagIndex, const EvalContext &context) const { return evaluate(flagIndex, context, 0); }

Decision Evaluator::evaluate(int flagIndex, const EvalContext &context, int depth) const
{
    const CompiledFlag &f = m_flags[static_cast<std::size_t>(flagIndex)];
    if (!f.enabled)
        return {false, EvalReason::Disabled, -1};
    if (f.killed)
        return {false, EvalReason::KillSwitch, -1};
    for (int p : f.prerequisites) {
        // Cycles are refused when flags are saved; the depth bound only guards a damaged store.
        if (p < 0 || depth > static_cast<int>(m_flags.size()) || !evaluate(p, context, depth + 1).on)
            return {false, EvalReason::PrerequisiteOff, p};
    }
    for (int s : f.exclude)
        if (matches(m_segments[static_cast<std::size_t>(s)], context))
            return {false, EvalReason::SegmentExcluded, s};
    for (int s : f.include)
        if (matches(m_segments[static_cast<std::size_t>(s)], context))
            return {true, EvalReason::SegmentIncluded, s};
    if (f.onWeight >= 1000)
        return {true, EvalReason::Split, -1};
    if (f.onWeight == 0)
        return {false, EvalReason::Split, -1};
    const std::uint32_t bucket = fractionalBucket(murmur3_32(f.key, context.targetingKey), 1000);
    return {bucket < f.onWeight, EvalReason::Split, -1};
}

Decision Evaluator::evaluate(const QString &key, const EvalContext &context) const
{
    const int index = indexOf(key);
    if (index < 0)
        invalid(tr("Unknown flag \"%1\".").arg(key));
    return evaluate(index, context);
}

QString Evaluator::reasonName(EvalReason reason)
{
    switch (reason) {
    case EvalReason::Disabled: return QStringLiteral("DISABLED");
    case EvalReason::KillSwitch: return QStringLiteral("KILL_SWITCH");
    case EvalReason::PrerequisiteOff: return QStringLiteral("PREREQUISITE_OFF");
    case EvalReason::SegmentExcluded: return QStringLiteral("SEGMENT_EXCLUDED");
    case EvalReason::SegmentIncluded: return QStringLiteral("SEGMENT_INCLUDED");
    case EvalReason::Split: return QStringLiteral("SPLIT");
    }
    return {};
}

QString Evaluator::explain(const Decision &d) const
{
    switch (d.reason) {
    case EvalReason::Disabled: return tr("the flag is off");
    case EvalReason::KillSwitch: return tr("the workspace kill switch is on");
    case EvalReason::PrerequisiteOff:
        return d.cause >= 0 ? tr("prerequisite %1 is off").arg(keyAt(d.cause)) : tr("a prerequisite no longer exists");
    case EvalReason::SegmentExcluded: return tr("in excluded segment %1").arg(segmentAt(d.cause));
    case EvalReason::SegmentIncluded: return tr("in included segment %1").arg(segmentAt(d.cause));
    case EvalReason::Split: return d.on ? tr("inside the rollout percentage") : tr("outside the rollout percentage");
    }
    return {};
}

} // namespace sp
