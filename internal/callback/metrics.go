package callback

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the sender's Prometheus collectors.
type Metrics struct {
	depth    prometheus.Gauge
	oldest   prometheus.Gauge
	attempts *prometheus.CounterVec
	latency  prometheus.Histogram
}

// NewMetrics creates the collectors and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		depth: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "timd_callback_queue_depth", Help: "Callback events waiting to be delivered.",
		}),
		oldest: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "timd_callback_oldest_pending_age_seconds", Help: "Age of the oldest undelivered callback event.",
		}),
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "timd_callback_attempts_total", Help: "Callback delivery attempts by outcome: delivered, retry, dead.",
		}, []string{"outcome"}),
		latency: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "timd_callback_delivery_latency_seconds",
			Help:    "Time from an event's commit to its delivery (2xx).",
			Buckets: []float64{.001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 5, 30, 300, 3600},
		}),
	}
	reg.MustRegister(m.depth, m.oldest, m.attempts, m.latency)
	return m
}

func (m *Metrics) delivered(latency time.Duration) {
	if m == nil {
		return
	}
	m.attempts.WithLabelValues("delivered").Inc()
	m.latency.Observe(latency.Seconds())
}

func (m *Metrics) failed(dead bool) {
	if m == nil {
		return
	}
	if dead {
		m.attempts.WithLabelValues("dead").Inc()
	} else {
		m.attempts.WithLabelValues("retry").Inc()
	}
}

func (m *Metrics) queue(n int, oldest, now time.Time) {
	if m == nil {
		return
	}
	m.depth.Set(float64(n))
	if oldest.IsZero() {
		m.oldest.Set(0)
	} else {
		m.oldest.Set(now.Sub(oldest).Seconds())
	}
}
