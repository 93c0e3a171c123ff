//! Widgets more than one screen uses: inputs with the problems or refusals of their field
//! (`fields`, `refusal`), the printer frame of the print panels (`printer`), batch-wide
//! problem lists (`problems`), and the pure routing of a problem's field path to its input
//! (`routing`), and the day-first date input (`date`).
pub mod date;
pub mod fields;
pub mod printer;
pub mod problems;
pub mod refusal;
pub mod routing;
