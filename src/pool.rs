//! The page's pool of analysis workers. A run's files are analysed apart, each worker taking the
//! next task when it is done with one (so memory stays bounded per worker); a ZIP archive's
//! parts (runs of its entries, found in its central directory) are tasks of their own. When
//! every task's part is in, one worker (it compiles the run's rules too) merges the parts, in
//! the order the files were chosen, into exactly what one worker reading every file in that
//! order finds.

use midtriage_engine::{zip_directory, zip_parts, Partial, ZipPart, ZIP_TAIL};
use wasm_bindgen::JsValue;
use wasm_bindgen_futures::JsFuture;
use web_sys::Blob;

use crate::protocol::{FoundSoFar, FromWorker, Job, JobFile, ToWorker};

/// Most workers a page starts when the address does not say (`?workers=N`): each needs its own
/// memory, and a support engineer's laptop has other work to do.
pub const MAX_WORKERS: usize = 4;

/// How many workers to start: `?workers=N` (1 to 16), else one per core up to [`MAX_WORKERS`].
pub fn size(search: &str, cores: f64) -> usize {
    let asked = search
        .trim_start_matches('?')
        .split('&')
        .find_map(|kv| kv.strip_prefix("workers="))
        .and_then(|n| n.parse::<usize>().ok())
        .filter(|n| (1..=16).contains(n));
    asked.unwrap_or((cores as usize).clamp(1, MAX_WORKERS))
}

/// What the pool does next with a worker that has just become free.
#[derive(Debug)]
pub enum Next {
    /// Send it this task (file `index`).
    Task(usize, ToWorker),
    /// Nothing to do now.
    Wait,
}

/// Each file's ZIP parts, of about `part_size` bytes of logs ([`midtriage_engine::ZIP_PART`] for
/// real runs), read from the ends of the files: none for a file that is not a ZIP worth
/// cutting, or whose end cannot be read (one reading of it then reports the problem).
pub async fn plan(files: &[JobFile], part_size: u64) -> Vec<Vec<ZipPart>> {
    let mut plans = Vec::with_capacity(files.len());
    for f in files {
        plans.push(zip_plan(&f.blob, part_size).await.unwrap_or_default());
    }
    plans
}

async fn zip_plan(blob: &Blob, part_size: u64) -> Result<Vec<ZipPart>, JsValue> {
    let len = blob.size();
    if bytes(blob, 0.0, 4.0).await? != b"PK\x03\x04" {
        return Ok(Vec::new());
    }
    let tail = bytes(blob, (len - ZIP_TAIL as f64).max(0.0), len).await?;
    let Some(at) = zip_directory(&tail, len as u64) else {
        return Ok(Vec::new());
    };
    let directory = bytes(blob, at.start as f64, at.end as f64).await?;
    Ok(zip_parts(&directory, at, len as u64, part_size))
}

/// Bytes `start..end` of a blob (read off the main thread).
async fn bytes(blob: &Blob, start: f64, end: f64) -> Result<Vec<u8>, JsValue> {
    let slice = blob.slice_with_f64_and_f64(start, end)?;
    let buffer = JsFuture::from(slice.array_buffer()).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// A task: a file, or a part of a ZIP archive, of input `input`.
struct Task {
    input: usize,
    file: JobFile,
}

/// A run in progress across the workers.
pub struct PoolRun {
    pub id: u32,
    pub started: f64,
    job: Job,
    tasks: Vec<Task>,
    /// The next task to hand out.
    next: usize,
    /// Each task's size, and bytes of it analysed so far.
    sizes: Vec<f64>,
    done: Vec<f64>,
    /// Each task's part, once in.
    parts: Vec<Option<Partial>>,
    /// Each task's causes found so far.
    found: Vec<Vec<FoundSoFar>>,
    merging: bool,
    /// The largest worker memory reported.
    pub memory_bytes: f64,
}

impl PoolRun {
    /// A run of `job`, each file cut into the parts `plans` gives it (when any).
    pub fn new(id: u32, started: f64, job: Job, plans: Vec<Vec<ZipPart>>) -> PoolRun {
        let mut tasks = Vec::new();
        for (input, file) in job.files.iter().enumerate() {
            let parts = plans.get(input).map_or(&[][..], Vec::as_slice);
            let cut = parts.iter().filter_map(|p| {
                let blob = file
                    .blob
                    .slice_with_f64_and_f64(p.start as f64, p.end as f64)
                    .ok()?;
                let (name, part) = (file.name.clone(), Some(p.clone()));
                Some(Task {
                    input,
                    file: JobFile { name, blob, part },
                })
            });
            let cut: Vec<Task> = cut.collect();
            if cut.len() == parts.len() && !cut.is_empty() {
                tasks.extend(cut);
            } else {
                let file = file.clone();
                tasks.push(Task { input, file });
            }
        }
        let sizes: Vec<f64> = tasks.iter().map(|t| t.file.blob.size()).collect();
        let n = sizes.len();
        PoolRun {
            id,
            started,
            job,
            tasks,
            next: 0,
            done: vec![0.0; n],
            sizes,
            parts: (0..n).map(|_| None).collect(),
            found: vec![Vec::new(); n],
            merging: false,
            memory_bytes: 0.0,
        }
    }

    /// How many tasks the run is cut into.
    pub fn tasks(&self) -> usize {
        self.tasks.len()
    }

    /// The next task for a free worker: the next file or part, or the merge once every part
    /// is in.
    pub fn next_task(&mut self) -> Next {
        if let Some(t) = self.tasks.get(self.next) {
            let task = ToWorker::Analyse(Job {
                files: vec![t.file.clone()],
                rules: self.job.rules.clone(),
                crash: self.job.crash,
            });
            self.next += 1;
            return Next::Task(self.next - 1, task);
        }
        if self.merging || self.parts.iter().any(Option::is_none) {
            return Next::Wait;
        }
        self.merging = true;
        // Each input's parts, in order.
        let mut parts: Vec<Vec<Partial>> = (0..self.job.files.len()).map(|_| Vec::new()).collect();
        for (task, part) in self.tasks.iter().zip(&mut self.parts) {
            if let (Some(input), Some(part)) = (parts.get_mut(task.input), part.take()) {
                input.push(part);
            }
        }
        let merge = ToWorker::Merge {
            parts,
            rules: self.job.rules.clone(),
        };
        Next::Task(self.parts.len(), merge)
    }

    /// Takes a message about file `index`'s task; gives what changed for the page.
    pub fn take(&mut self, index: usize, msg: FromWorker) -> Update {
        match msg {
            FromWorker::Progress { done, total } => {
                let size = self.sizes.get(index).copied().unwrap_or(0.0);
                if let Some(d) = self.done.get_mut(index) {
                    *d = if total > 0.0 {
                        size * done / total
                    } else {
                        size
                    };
                }
                Update::Progress(self.fraction())
            }
            FromWorker::Found { findings } => {
                if let Some(f) = self.found.get_mut(index) {
                    *f = findings;
                }
                Update::Found(self.found_so_far())
            }
            FromWorker::Part {
                partial,
                memory_bytes,
            } => {
                self.memory_bytes = self.memory_bytes.max(memory_bytes);
                if let Some(slot) = self.parts.get_mut(index) {
                    *slot = Some(*partial);
                }
                if let Some(d) = self.done.get_mut(index) {
                    *d = self.sizes[index];
                }
                Update::Free(self.fraction())
            }
            FromWorker::Done {
                facts,
                memory_bytes,
            } => {
                self.memory_bytes = self.memory_bytes.max(memory_bytes);
                Update::Finished(facts)
            }
            FromWorker::Failed { message } => Update::Failed(message),
            FromWorker::Ready { .. } => Update::None,
        }
    }

    /// The share of the run's bytes analysed.
    fn fraction(&self) -> f64 {
        let total: f64 = self.sizes.iter().sum();
        if total > 0.0 {
            self.done.iter().sum::<f64>() / total
        } else {
            1.0
        }
    }

    /// The causes every worker found so far, once each, most severe first (then by id, as
    /// each worker orders its own).
    fn found_so_far(&self) -> Vec<FoundSoFar> {
        let key = |f: &FoundSoFar| (std::cmp::Reverse(f.severity), f.id.clone());
        let mut all: Vec<FoundSoFar> = Vec::new();
        for f in self.found.iter().flatten() {
            if !all.iter().any(|a| a.id == f.id) {
                let at = all.partition_point(|a| key(a) < key(f));
                all.insert(at, f.clone());
            }
        }
        all
    }
}

/// What a worker's message changes for the page.
#[derive(Debug)]
pub enum Update {
    /// The share of the run's bytes analysed.
    Progress(f64),
    /// The causes found so far.
    Found(Vec<FoundSoFar>),
    /// The worker finished its file and is free (with the share analysed).
    Free(f64),
    /// The run's analysis.
    Finished(Box<midtriage_engine::Facts>),
    Failed(String),
    None,
}

#[cfg(test)]
mod tests {
    use super::size;

    #[test]
    fn the_pool_size_follows_the_address_then_the_cores() {
        assert_eq!(size("?step=analyse&workers=3", 16.0), 3);
        assert_eq!(size("workers=1", 8.0), 1);
        assert_eq!(size("?workers=0", 2.0), 2, "out of range: the cores decide");
        assert_eq!(size("?workers=99", 2.0), 2);
        assert_eq!(size("", 16.0), super::MAX_WORKERS);
        assert_eq!(size("", 0.0), 1);
    }
}
