#pragma once

#include "Flag.h"

#include <QCoreApplication>

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace sp {

// Why a flag evaluated the way it did, in order of precedence.
enum class EvalReason {
    Disabled,        // the flag's master switch is off
    KillSwitch,      // the workspace kill switch forces sync-tagged flags off
    PrerequisiteOff, // a prerequisite flag is off for this context
    SegmentExcluded, // the context is in an excluded segment
    SegmentIncluded, // the context is in an included segment
    Split,           // flagd fractional bucketing over the rollout percentage
};

struct Decision
{
    bool on = false;
    EvalReason reason = EvalReason::Disabled;
    int cause = -1; // the prerequisite (flag index) or segment (segment index) behind the reason
};

using Attributes = std::unordered_map<std::string, std::string>;

struct EvalContext
{
    std::string_view targetingKey;
    const Attributes *attributes = nullptr;
};

// Evaluates flags exactly like flagd evaluates SyncPilot's published flag file: bucketing is
// flagd's fractional (murmur3 x86_32, seed 0, over UTF-8 flagKey + targetingKey, then
// (hash * 1000) >> 32 against the on-weight 10·P). Built once from a snapshot; evaluate() is
// allocation-free and safe to call from many threads.
class Evaluator
{
    Q_DECLARE_TR_FUNCTIONS(Evaluator)

public:
    explicit Evaluator(const FlagSnapshot &snapshot);

    int indexOf(const QString &key) const; // -1 if unknown
    int flagCount() const { return static_cast<int>(m_flags.size()); }
    QString keyAt(int index) const { return QString::fromStdString(m_flags[index].key); }
    QString segmentAt(int index) const { return QString::fromStdString(m_segmentNames[index]); }

    Decision evaluate(int flagIndex, const EvalContext &context) const;
    // Throws sp::Error(InvalidInput) for an unknown flag.
    Decision evaluate(const QString &key, const EvalContext &context) const;

    static QString reasonName(EvalReason reason); // DISABLED, KILL_SWITCH, …
    // "prerequisite checkout.v2 is off", "in segment beta-testers", …
    QString explain(const Decision &d) const;

private:
    struct Rule
    {
        std::string attribute;
        SegmentRule::Op op;
        std::vector<std::string> values;
    };
    // Transparent hashing: look targeting keys up as string_view, without building a string.
    struct KeyHash
    {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
    };
    struct CompiledSegment
    {
        std::unordered_set<std::string, KeyHash, std::equal_to<>> keys;
        std::vector<Rule> rules;
    };
    struct CompiledFlag
    {
        std::string key;
        bool enabled = false;
        bool killed = false;
        std::uint32_t onWeight = 0; // of 1000
        std::vector<int> prerequisites;
        std::vector<int> include;
        std::vector<int> exclude;
    };

    bool matches(const CompiledSegment &segment, const EvalContext &context) const;
    Decision evaluate(int flagIndex, const EvalContext &context, int depth) const;

    std::vector<CompiledFlag> m_flags;
    std::vector<CompiledSegment> m_segments;
    std::vector<std::string> m_segmentNames;
    std::unordered_map<std::string, int> m_index;
};

} // namespace sp
