#pragma once

#include <QStringView>

#include <vector>

namespace sp {

// Names to numbers for the hot paths of a sync (writing DTCG, diffing 100 000 variables): open
// addressing with FNV-1a over the UTF-16 code units. Building a QHash<QString, int> of 100 000
// names took several times longer here. Keys are views: the strings must outlive the index.
class NameIndex
{
public:
    explicit NameIndex(qsizetype expected = 0)
    {
        size_t size = 16;
        while (size < size_t(expected) * 2)
            size *= 2;
        m_slots.resize(size);
        m_mask = size - 1;
    }

    // The value stored for key, or -1.
    int find(QStringView key) const
    {
        for (size_t i = hash(key) & m_mask;; i = (i + 1) & m_mask) {
            const Slot &slot = m_slots[i];
            if (slot.value < 0)
                return -1;
            if (slot.key == key)
                return slot.value;
        }
    }

    // Stores value (>= 0) for key; false when key is already present (its value is kept).
    bool insert(QStringView key, int value)
    {
        if ((m_count + 1) * 2 > m_slots.size())
            grow();
        for (size_t i = hash(key) & m_mask;; i = (i + 1) & m_mask) {
            Slot &slot = m_slots[i];
            if (slot.value < 0) {
                slot = Slot{key, value};
                ++m_count;
                return true;
            }
            if (slot.key == key)
                return false;
        }
    }

    size_t size() const { return m_count; }

private:
    struct Slot
    {
        QStringView key;
        int value = -1;
    };

    static size_t hash(QStringView key)
    {
        quint64 h = 14695981039346656037ull;
        for (const QChar c : key)
            h = (h ^ c.unicode()) * 1099511628211ull;
        return size_t(h ^ (h >> 29));
    }

    void grow()
    {
        std::vector<Slot> old = std::move(m_slots);
        m_slots.assign(old.size() * 2, Slot{});
        m_mask = m_slots.size() - 1;
        m_count = 0;
        for (const Slot &slot : old) {
            if (slot.value >= 0)
                insert(slot.key, slot.value);
        }
    }

    std::vector<Slot> m_slots;
    size_t m_mask = 0;
    size_t m_count = 0;
};

} // namespace sp
