// Starts `agentperf-lint server` from the PATH of the project's shell (so an activated
// virtualenv's install is found); the server itself is the Python package's `[lsp]` extra.
use zed_extension_api::{self as zed, LanguageServerId, Result};

struct AgentperfLint;

impl zed::Extension for AgentperfLint {
    fn new() -> Self {
        AgentperfLint
    }

    fn language_server_command(
        &mut self,
        _language_server_id: &LanguageServerId,
        worktree: &zed::Worktree,
    ) -> Result<zed::Command> {
        let command = worktree
            .which("agentperf-lint")
            .ok_or("agentperf-lint is not on PATH: pip install 'agentperf-lint[lsp]'")?;
        Ok(zed::Command {
            command,
            args: vec!["server".into()],
            env: worktree.shell_env(),
        })
    }
}

zed::register_extension!(AgentperfLint);
