//! `GET /metrics`: Prometheus text exposition.
//!
//! | metric | type | labels |
//! | ------ | ---- | ------ |
//! | `wta_http_requests_total` | counter | `route` (the matched pattern), `method`, `status` |
//! | `wta_http_request_duration_seconds` | histogram | `route` |
//! | `wta_jobs` | gauge | `state` |
//! | `wta_job_queue_depth` | gauge | |
//! | `wta_targets_aligned_total` | counter | `source` (`align`: `/v1/align` pairs; `job`: targets of done jobs) |
//! | `wta_align_cells_total` | counter | `source`: `align` (DP cells of `/v1/align` pairs, length a x length b), `job` (target length x reference length of each aligned target of done jobs; a genome run's search is not counted) |
//! | `wta_kernel_info` | gauge, always 1 | `kernel` (the alignment kernel the CPU runs) |

use std::collections::HashMap;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::store::State;

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    route: String,
    method: String,
    status: u16,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RouteLabel {
    route: String,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct StateLabel {
    state: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct SourceLabel {
    source: &'static str,
}

#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
struct KernelLabel {
    kernel: String,
}

type HistogramFamily = Family<RouteLabel, Histogram, fn() -> Histogram>;

/// The service's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: HistogramFamily,
    jobs: Family<StateLabel, Gauge>,
    queue_depth: Gauge,
    targets: Family<SourceLabel, Counter>,
    cells: Family<SourceLabel, Counter>,
}

fn latency_histogram() -> Histogram {
    // 0.5 ms to about 33 s.
    Histogram::new(exponential_buckets(0.0005, 2.0, 17))
}

impl Metrics {
    /// Registers every metric.
    pub fn new() -> Self {
        let mut registry = Registry::default();
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "wta_http_requests",
            "HTTP requests answered, by route pattern, method and status",
            requests.clone(),
        );
        let latency: HistogramFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "wta_http_request_duration_seconds",
            "Time from a request's arrival to its response, by route pattern",
            latency.clone(),
        );
        let jobs = Family::<StateLabel, Gauge>::default();
        registry.register("wta_jobs", "Jobs known, by state", jobs.clone());
        let queue_depth = Gauge::default();
        registry.register(
            "wta_job_queue_depth",
            "Jobs waiting for a worker",
            queue_depth.clone(),
        );
        let targets = Family::<SourceLabel, Counter>::default();
        registry.register(
            "wta_targets_aligned",
            "Targets aligned: pairs of /v1/align (source=align), aligned targets of done jobs (source=job)",
            targets.clone(),
        );
        let cells = Family::<SourceLabel, Counter>::default();
        registry.register(
            "wta_align_cells",
            "Dynamic-programming cells aligned, length x length: /v1/align pairs (source=align), aligned targets of done jobs (source=job)",
            cells.clone(),
        );
        let kernel = Family::<KernelLabel, Gauge>::default();
        registry.register(
            "wta_kernel_info",
            "The alignment kernel this CPU runs (value always 1)",
            kernel.clone(),
        );
        kernel
            .get_or_create(&KernelLabel {
                kernel: crate::align::kernel_name(),
            })
            .set(1);
        // Every state appears, at 0 when no job is in it.
        for state in State::ALL {
            jobs.get_or_create(&StateLabel {
                state: state.name(),
            })
            .set(0);
        }
        Self {
            registry,
            requests,
            latency,
            jobs,
            queue_depth,
            targets,
            cells,
        }
    }

    /// One answered request.
    pub fn request(&self, route: &str, method: &str, status: u16, seconds: f64) {
        self.requests
            .get_or_create(&RequestLabels {
                route: route.to_owned(),
                method: method.to_owned(),
                status,
            })
            .inc();
        self.latency
            .get_or_create(&RouteLabel {
                route: route.to_owned(),
            })
            .observe(seconds);
    }

    /// One `/v1/align` pair of `cells` DP cells.
    pub fn aligned_pair(&self, cells: u64) {
        self.targets
            .get_or_create(&SourceLabel { source: "align" })
            .inc();
        self.cells
            .get_or_create(&SourceLabel { source: "align" })
            .inc_by(cells);
    }

    /// A done job's aligned targets and their cells.
    pub fn job_targets(&self, aligned: u64, cells: u64) {
        self.targets
            .get_or_create(&SourceLabel { source: "job" })
            .inc_by(aligned);
        self.cells
            .get_or_create(&SourceLabel { source: "job" })
            .inc_by(cells);
    }

    /// The exposition text, with the job gauges as they are now.
    pub fn encode(&self, jobs: &HashMap<State, usize>, queue_depth: usize) -> String {
        for state in State::ALL {
            self.jobs
                .get_or_create(&StateLabel {
                    state: state.name(),
                })
                .set(jobs.get(&state).copied().unwrap_or(0) as i64);
        }
        self.queue_depth.set(queue_depth as i64);
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}
