//! Step 3: how to get the logs, for the status given.

use midtriage_engine::Status;
use yew::prelude::*;

use super::{heading, kb};

/// Props of step 3.
#[derive(Properties, PartialEq)]
pub struct LogsProps {
    /// The MID's status, which decides where its logs can be had.
    pub status: Option<Status>,
}

/// Step 3.
#[function_component(LogsStep)]
pub fn logs_step(props: &LogsProps) -> Html {
    let status = props.status;
    let grab = html! {
        <ol>
            <li>{ "Open the MID Server record (MID Server > Servers)." }</li>
            <li>{ "Under Related Links, choose " }<strong>{ "Grab MID Logs" }</strong>{ ". Two requests go to the ECC Queue: one for agent0.log.0, one for wrapper.log." }</li>
            <li>{ "When they have been processed, open each input record in the ECC Queue and download its attachment." }</li>
        </ol>
    };
    let host = html! {
        <>
        <ol>
            <li>{ "Sign in to the host where the MID Server is installed." }</li>
            <li>{ "In the installation folder, open " }<code>{ "agent/logs" }</code>{ ". Take " }<code>{ "agent0.log.0" }</code>{ " (the newest) and the older " }<code>{ "agent0.log.1" }</code>{ " to " }<code>{ ".9" }</code>{ " if the upgrade was more than a few hours ago, plus " }<code>{ "wrapper.log" }</code>{ "." }</li>
            <li>{ "If the agent log ends with an " }<code>{ "Added marker `…` to upgrade marker file" }</code>{ " line, the upgrade service took over: its own log, " }<code>{ "glide-dist-upgrade.log" }</code>{ ", is in that folder's " }<code>{ "upgrade-wrapper/logs" }</code>{ " subfolder. From Rome on the folder is under " }<code>{ "agent/work/upgrade_temp" }</code>{ "; before, it was in the OS temp folder (" }{ kb("KB0779816") }{ ")." }</li>
        </ol>
        </>
    };
    let advice = match status {
        Some(Status::Up) => {
            html! { <><p>{ "The MID Server is connected, so the instance can fetch its logs for you." }</p>{ grab }</> }
        }
        Some(Status::UpgradeFailed) => {
            html! { <><p>{ "The failure is usually in the agent log. If the MID Server still answers, fetch the logs from the instance:" }</p>{ grab }<p>{ "Otherwise read them on the host:" }</p>{ host }</> }
        }
        Some(Status::Down) | Some(Status::Upgrading) => {
            html! { <><p>{ "The MID Server cannot answer the instance, so read the logs on its host:" }</p>{ host }</> }
        }
        None => {
            html! { <><p>{ "If the MID Server shows Up, fetch its logs from the instance:" }</p>{ grab }<p>{ "If it is Down, Upgrading or not answering, read them on its host:" }</p>{ host }</> }
        }
    };
    html! {
        <section aria-labelledby="step-heading">
            { heading(3, "Get the logs") }
            { advice }
            <details class="branch">
                <summary>{ "I can't get to the logs" }</summary>
                <p>{ "If neither the instance nor you can reach the host, the problem may be the host itself: it may be switched off, out of disk space, or cut off from the network. Ask the host's administrator to check that it is running and can reach the instance on port 443 (" }{ kb("KB0597538") }{ "). Once the host is back, restart the MID Server service so the upgrade is tried again, then come back here with the logs (" }{ kb("KB0596459") }{ ")." }</p>
            </details>
        </section>
    }
}
