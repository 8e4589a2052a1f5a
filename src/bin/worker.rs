//! Entry point of the analysis Web Worker (built by Trunk as `midtriage-worker.js`).

fn main() {
    midtriage_web::worker::start();
}
