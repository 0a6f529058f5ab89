// Received and sent bytes per second over the last minutes, painted by hand (two lines and a
// scale; no chart library needed).
#pragma once

#include "HelperSession.h"

#include <QWidget>

namespace peertun {

class ThroughputGraph : public QWidget
{
    Q_OBJECT
public:
    explicit ThroughputGraph(QWidget* parent = nullptr);

    void setSamples(const QList<RateSample>& samples);
    const QList<RateSample>& samples() const { return m_samples; }
    // The top of the scale: a "round" value at or above the highest rate shown.
    double scaleMaximum() const;
    // Samples with any traffic (tests check the graph moves).
    int nonZeroSamples() const;

    QSize sizeHint() const override { return {480, 160}; }
    QSize minimumSizeHint() const override { return {200, 100}; }

protected:
    void paintEvent(QPaintEvent* event) override;

private:
    QList<RateSample> m_samples;
};

} // namespace peertun
