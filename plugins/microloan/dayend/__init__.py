"""The day-end batch of the microloan plugin (docs/microloan/dayend.md): daily interest accrual, days past due,
penalty and compound interest, five-category classification, loss provisions and due-date reminders."""
