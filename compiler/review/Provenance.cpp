#include "review/Provenance.h"

#include <git2.h>

#include <filesystem>
#include <mutex>

namespace fs = std::filesystem;

namespace plat::review {

std::optional<GitProvenance>
gitProvenance(const std::string &workspaceRoot,
              const std::vector<std::pair<std::string, llvm::StringRef>> &files) {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
  std::error_code ec;
  fs::path root = fs::weakly_canonical(fs::absolute(workspaceRoot, ec), ec);
  git_repository *repo = nullptr;
  if (git_repository_open_ext(&repo, root.c_str(), 0, nullptr) != 0)
    return std::nullopt;
  std::optional<GitProvenance> out;
  git_object *head = nullptr;
  git_commit *commit = nullptr;
  git_tree *tree = nullptr;
  const char *workdir = git_repository_workdir(repo);
  fs::path prefix;
  if (workdir)
    prefix = root.lexically_relative(fs::weakly_canonical(fs::path(workdir), ec));
  if (workdir && !prefix.empty() && !llvm::StringRef(prefix.generic_string()).startswith("..") &&
      git_revparse_single(&head, repo, "HEAD^{commit}") == 0 &&
      git_commit_lookup(&commit, repo, git_object_id(head)) == 0 &&
      git_commit_tree(&tree, commit) == 0) {
    out.emplace();
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, git_commit_id(commit));
    out->commit = hex;
    for (const auto &[path, bytes] : files) {
      fs::path inRepo = prefix == "." ? fs::path(path) : prefix / path;
      git_tree_entry *entry = nullptr;
      std::string status = "untracked";
      if (git_tree_entry_bypath(&entry, tree, inRepo.generic_string().c_str()) == 0) {
        git_oid oid;
        git_filemode_t mode = git_tree_entry_filemode(entry);
        bool blob = mode == GIT_FILEMODE_BLOB || mode == GIT_FILEMODE_BLOB_EXECUTABLE;
        status = blob && git_odb_hash(&oid, bytes.data(), bytes.size(), GIT_OBJECT_BLOB) == 0 &&
                         git_oid_equal(&oid, git_tree_entry_id(entry))
                     ? "committed"
                     : "modified";
        git_tree_entry_free(entry);
      }
      out->files[path] = status;
    }
  }
  git_tree_free(tree);
  git_commit_free(commit);
  git_object_free(head);
  git_repository_free(repo);
  return out;
}

} // namespace plat::review
