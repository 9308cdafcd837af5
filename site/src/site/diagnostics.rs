//! Findings of loading, building and linting, each tied to file:line.

use std::fmt;

/// Errors stop `build` and make `lint` exit 1; warnings are reported only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem found in the content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub severity: Severity,
    /// The file as the user knows it, e.g. `content/2020/faq.md`.
    pub file: String,
    /// 1-based line; 0 when the problem is the file as a whole.
    pub line: usize,
    pub message: String,
}

impl Finding {
    pub fn error(file: &str, line: usize, message: String) -> Finding {
        Finding { severity: Severity::Error, file: file.to_owned(), line, message }
    }

    pub fn warning(file: &str, line: usize, message: String) -> Finding {
        Finding { severity: Severity::Warning, file: file.to_owned(), line, message }
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kind = match self.severity {
            Severity::Error => "错误",
            Severity::Warning => "警告",
        };
        if self.line > 0 {
            write!(f, "{}:{}: {kind}: {}", self.file, self.line, self.message)
        } else {
            write!(f, "{}: {kind}: {}", self.file, self.message)
        }
    }
}
