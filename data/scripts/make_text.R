# Builds the bundled food reviews of attune-data (see data/DATA.md, "Bundled text").
# Usage: Rscript data/scripts/make_text.R <output folder: .../dev/attune/data/text/food-reviews>
# Needs R (Debian r-base-core) and the modeldata package (Debian r-cran-modeldata); nothing else.
# Writes train.csv and test.csv (the caller compresses them); no randomness: every row of the
# package's training_data and testing_data, in the package's order.
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 1) stop("usage: Rscript make_text.R <output folder>")
out <- args[1]

e <- new.env()
data(small_fine_foods, package = "modeldata", envir = e)
write_reviews <- function(df, file) {
  stopifnot(!anyNA(df$review), all(nzchar(df$review)), all(validUTF8(df$review)), !anyNA(df$score))
  rows <- data.frame(product = df$product, text = enc2utf8(df$review), label = as.character(df$score),
                     stringsAsFactors = FALSE)
  # RFC 4180: comma separated, LF line ends, every text field double-quoted, header row, UTF-8.
  write.csv(rows, file, row.names = FALSE, na = "", fileEncoding = "UTF-8", eol = "\n")
  counts <- table(rows$label)
  cat(sprintf("  wrote %s: %d rows (great %d, other %d), %d products\n", file, nrow(rows), counts[["great"]],
              counts[["other"]], length(unique(rows$product))))
}
write_reviews(e$training_data, file.path(out, "train.csv"))
write_reviews(e$testing_data, file.path(out, "test.csv"))
dup <- sum(e$testing_data$review %in% e$training_data$review)
cat(sprintf("  test reviews whose text is also a training review: %d; repeated texts within train: %d\n", dup,
            sum(duplicated(e$training_data$review))))
