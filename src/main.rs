//! Entry point of the web app.

fn main() {
    yew::Renderer::<midtriage_web::App>::new().render();
}
