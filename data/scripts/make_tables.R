# Builds the bundled tables of attune-data (see data/DATA.md, "Bundled tables").
# Usage: Rscript data/scripts/make_tables.R <credit-g.arff> <output folder: .../dev/attune/data/tables>
# Needs R (Debian r-base-core) and the modeldata package (Debian r-cran-modeldata); nothing else.
# Deterministic: R's default generator (Mersenne-Twister, sample.kind "Rejection") seeded with 42.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 2) stop("usage: Rscript make_tables.R <credit-g.arff> <output folder>")
arff <- args[1]
out <- args[2]
RNGkind("Mersenne-Twister", "Inversion", "Rejection")

# Stratified split: per class, in class order, a seeded random permutation of that class's rows;
# the first round(share * n) go to train. Rows keep their source order within each split.
split_rows <- function(y, share, seed) {
  set.seed(seed)
  train <- integer(0)
  for (cls in sort(unique(as.character(y)))) {
    idx <- which(as.character(y) == cls)
    picked <- idx[sample.int(length(idx))][seq_len(round(share * length(idx)))]
    train <- c(train, picked)
  }
  sort(train)
}

write_table <- function(df, file) {
  # RFC 4180: comma separated, CRLF-free (LF), every text field double-quoted, header row, UTF-8.
  write.csv(df, file, row.names = FALSE, na = "", fileEncoding = "UTF-8", eol = "\n")
  cat(sprintf("  wrote %s: %d rows\n", file, nrow(df)))
}

# ---- German credit: all 1,000 rows of credit-g.arff, plus sex derived from personal_status.
lines <- readLines(arff, encoding = "UTF-8", warn = FALSE)
attr_lines <- grep("^@attribute", lines, ignore.case = TRUE, value = TRUE)
names <- sub("^@attribute[[:space:]]+([^[:space:]]+).*$", "\\1", attr_lines, ignore.case = TRUE)
data_start <- grep("^@data", lines, ignore.case = TRUE)
rows <- lines[(data_start + 1):length(lines)]
rows <- rows[nzchar(trimws(rows)) & !startsWith(rows, "%")]
credit <- read.csv(text = rows, header = FALSE, quote = "'", col.names = names, strip.white = TRUE,
                   stringsAsFactors = FALSE, colClasses = "character", na.strings = "?")
stopifnot(nrow(credit) == 1000, ncol(credit) == 21, !anyNA(credit))
# personal_status mixes sex with marital status; the sex part is its first word.
sex_of <- c("male div/sep" = "male", "female div/dep/mar" = "female", "male single" = "male",
            "male mar/wid" = "male", "female single" = "female")
stopifnot(all(credit$personal_status %in% names(sex_of)))
credit$sex <- unname(sex_of[credit$personal_status])
numeric_cols <- c("duration", "credit_amount", "installment_commitment", "residence_since", "age",
                  "existing_credits", "num_dependents")
for (col in numeric_cols) credit[[col]] <- as.integer(credit[[col]])
cat("German credit: class counts\n"); print(table(credit$class))
cat("German credit: sex counts\n"); print(table(credit$sex))
train <- split_rows(credit$class, 0.7, 42)
dir.create(file.path(out, "german-credit"), showWarnings = FALSE, recursive = TRUE)
write_table(credit[train, ], file.path(out, "german-credit", "train.csv"))
write_table(credit[-train, ], file.path(out, "german-credit", "test.csv"))

# ---- Telco churn (modeldata::wa_churn): the 7,032 complete rows, a seeded stratified sample of 2,000.
data(wa_churn, package = "modeldata")
churn <- as.data.frame(wa_churn)
stopifnot(nrow(churn) == 7043)
incomplete <- !complete.cases(churn)
cat(sprintf("Telco churn: %d rows, %d incomplete (total_charges NA, tenure %s): dropped\n",
            nrow(churn), sum(incomplete), paste(unique(churn$tenure[incomplete]), collapse = ",")))
churn <- churn[!incomplete, ]
for (col in names(churn)) if (is.factor(churn[[col]])) churn[[col]] <- as.character(churn[[col]])
keep <- split_rows(churn$churn, 2000 / nrow(churn), 42)
churn <- churn[keep, ]
cat("Telco churn subset: churn counts\n"); print(table(churn$churn))
train <- split_rows(churn$churn, 0.75, 43)
dir.create(file.path(out, "telco-churn"), showWarnings = FALSE, recursive = TRUE)
write_table(churn[train, ], file.path(out, "telco-churn", "train.csv"))
write_table(churn[-train, ], file.path(out, "telco-churn", "test.csv"))
