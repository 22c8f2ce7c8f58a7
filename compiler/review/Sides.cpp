// Loading the two sides of a change: a folder on disk, or a git revision
// read from the object database with libgit2 (no checkout, no temporary
// files, the work tree and index untouched).
#include <git2.h>

#include <filesystem>
#include <mutex>

#include "fmt/format.h"
#include "pipeline/Pipeline.h"
#include "review/Diff.h"
#include "syntax/Parser.h"

namespace fs = std::filesystem;

namespace plat::review {
namespace {

// libgit2 keeps global state; initialise it once per process.
void initGit() {
  static std::once_flag once;
  std::call_once(once, [] { git_libgit2_init(); });
}

std::string gitError(llvm::StringRef what) {
  const git_error *e = git_error_last();
  return e && e->message ? fmt::format("{}: {}", what.str(), e->message) : what.str();
}

// The rule the workspace applies on disk (workspace/SourceFiles.cpp).
bool skippedFolder(llvm::StringRef name) {
  return name.empty() || name.startswith(".") || name == "node_modules" || name == "build" ||
         name == "out";
}

struct Walk {
  git_repository *repo = nullptr;
  git_odb *odb = nullptr;
  uint64_t maxBytes = 0;
  std::vector<std::pair<std::string, std::string>> files;
  std::vector<std::string> problems;
  // Bounds the walk: a hostile revision cannot make it recurse without end
  // (git trees are finite, but deep ones would exhaust the stack).
  unsigned depth = 0;
};

void walkTree(Walk &w, git_tree *tree, const std::string &prefix) {
  if (++w.depth > 256) {
    w.problems.push_back(fmt::format("`{}` is nested too deeply; not read", prefix));
    --w.depth;
    return;
  }
  size_t n = git_tree_entrycount(tree);
  for (size_t i = 0; i < n; ++i) {
    const git_tree_entry *entry = git_tree_entry_byindex(tree, i);
    std::string name = git_tree_entry_name(entry);
    std::string rel = prefix.empty() ? name : prefix + "/" + name;
    git_filemode_t mode = git_tree_entry_filemode(entry);
    if (mode == GIT_FILEMODE_TREE) {
      if (skippedFolder(name))
        continue;
      git_tree *sub = nullptr;
      if (git_tree_lookup(&sub, w.repo, git_tree_entry_id(entry)) != 0) {
        w.problems.push_back(gitError(fmt::format("`{}` cannot be read", rel)));
        continue;
      }
      walkTree(w, sub, rel);
      git_tree_free(sub);
      continue;
    }
    if (!llvm::StringRef(name).endswith(".plat"))
      continue;
    if (mode != GIT_FILEMODE_BLOB && mode != GIT_FILEMODE_BLOB_EXECUTABLE) {
      // A link's target is a path chosen by whoever wrote the revision,
      // and a submodule is another repository: neither is read.
      w.problems.push_back(fmt::format("`{}` is {}; not read", rel,
                                       mode == GIT_FILEMODE_LINK ? "a symbolic link"
                                                                 : "a submodule, not a regular file"));
      continue;
    }
    // The size from the object's header, before anything is inflated.
    size_t size = 0;
    git_object_t type = GIT_OBJECT_INVALID;
    if (git_odb_read_header(&size, &type, w.odb, git_tree_entry_id(entry)) != 0 ||
        type != GIT_OBJECT_BLOB) {
      w.problems.push_back(gitError(fmt::format("`{}` cannot be read", rel)));
      continue;
    }
    if (size > w.maxBytes) {
      w.problems.push_back(fmt::format("`{}` is {} bytes, over the limit of {} bytes; not read", rel,
                                       size, w.maxBytes));
      continue;
    }
    git_blob *blob = nullptr;
    if (git_blob_lookup(&blob, w.repo, git_tree_entry_id(entry)) != 0) {
      w.problems.push_back(gitError(fmt::format("`{}` cannot be read", rel)));
      continue;
    }
    std::string text(static_cast<const char *>(git_blob_rawcontent(blob)),
                     static_cast<size_t>(git_blob_rawsize(blob)));
    git_blob_free(blob);
    stripByteOrderMark(text);
    w.files.emplace_back(std::move(rel), std::move(text));
  }
  --w.depth;
}

} // namespace

void loadFromFolder(const std::string &dir, Side &side) {
  side.workspace = Workspace::load(dir, side.diags);
  if (!side.workspace) {
    side.loadError = fmt::format("no workspace.plat in `{}` or any folder above it", dir);
    return;
  }
  side.program = pipeline::check(*side.workspace, side.diags);
}

std::string locateInRepository(const std::string &dir, std::string &workspaceRoot,
                               std::string &repoTop, std::string &prefix) {
  std::error_code ec;
  fs::path at = fs::weakly_canonical(fs::absolute(dir, ec), ec);
  fs::path root;
  for (fs::path p = at;; p = p.parent_path()) {
    if (fs::is_regular_file(p / kWorkspaceFileName.str(), ec)) {
      root = p;
      break;
    }
    if (p == p.parent_path())
      break;
  }
  if (root.empty())
    return fmt::format("no workspace.plat in `{}` or any folder above it", dir);
  workspaceRoot = root.string();
  initGit();
  git_repository *repo = nullptr;
  if (git_repository_open_ext(&repo, workspaceRoot.c_str(), 0, nullptr) != 0)
    return gitError(fmt::format("`{}` is not inside a git repository", workspaceRoot));
  const char *workdir = git_repository_workdir(repo);
  if (!workdir) {
    git_repository_free(repo);
    return fmt::format("the git repository around `{}` has no work tree", workspaceRoot);
  }
  fs::path top = fs::weakly_canonical(fs::path(workdir), ec);
  git_repository_free(repo);
  repoTop = top.string();
  fs::path rel = root.lexically_relative(top);
  prefix = rel == "." ? "" : rel.generic_string();
  if (llvm::StringRef(prefix).startswith(".."))
    return fmt::format("`{}` is not inside the repository at `{}`", workspaceRoot, repoTop);
  return "";
}

void loadFromGit(const std::string &repoDir, const std::string &rev,
                 const std::string &workspacePrefix, Side &side) {
  initGit();
  git_repository *repo = nullptr;
  if (git_repository_open_ext(&repo, repoDir.c_str(), 0, nullptr) != 0) {
    side.loadError = gitError(fmt::format("`{}` is not inside a git repository", repoDir));
    return;
  }
  git_object *object = nullptr;
  git_commit *commit = nullptr;
  git_tree *tree = nullptr;
  git_odb *odb = nullptr;
  auto cleanup = [&] {
    git_odb_free(odb);
    git_tree_free(tree);
    git_commit_free(commit);
    git_object_free(object);
    git_repository_free(repo);
  };
  if (git_revparse_single(&object, repo, rev.c_str()) != 0 ||
      git_object_peel(reinterpret_cast<git_object **>(&commit), object, GIT_OBJECT_COMMIT) != 0) {
    side.loadError = gitError(fmt::format("`{}` is neither a folder nor a revision of the repository", rev));
    cleanup();
    return;
  }
  if (git_commit_tree(&tree, commit) != 0 || git_repository_odb(&odb, repo) != 0) {
    side.loadError = gitError(fmt::format("the tree of `{}` cannot be read", rev));
    cleanup();
    return;
  }
  git_tree *top = tree;
  git_tree *sub = nullptr;
  if (!workspacePrefix.empty()) {
    git_tree_entry *entry = nullptr;
    if (git_tree_entry_bypath(&entry, tree, workspacePrefix.c_str()) != 0 ||
        git_tree_entry_type(entry) != GIT_OBJECT_TREE ||
        git_tree_lookup(&sub, repo, git_tree_entry_id(entry)) != 0) {
      git_tree_entry_free(entry);
      side.loadError = fmt::format("`{}` has no folder `{}`", rev, workspacePrefix);
      cleanup();
      return;
    }
    git_tree_entry_free(entry);
    top = sub;
  }
  const git_tree_entry *wsFile = git_tree_entry_byname(top, kWorkspaceFileName.data());
  if (!wsFile || git_tree_entry_filemode(wsFile) != GIT_FILEMODE_BLOB) {
    side.loadError = fmt::format("`{}` has no regular file `{}`", rev,
                                 workspacePrefix.empty() ? kWorkspaceFileName.str()
                                                         : workspacePrefix + "/" + kWorkspaceFileName.str());
    git_tree_free(sub);
    cleanup();
    return;
  }
  Walk w;
  w.repo = repo;
  w.odb = odb;
  w.maxBytes = syntax::ParseOptions().maxFileBytes;
  walkTree(w, top, "");
  git_tree_free(sub);
  cleanup();
  if (!w.problems.empty()) {
    side.loadError = fmt::format("in `{}`: {}", rev, w.problems.front());
    for (size_t i = 1; i < w.problems.size(); ++i)
      side.loadError += "; " + w.problems[i];
    return;
  }
  std::string root = workspacePrefix.empty() ? rev + ":" : rev + ":" + workspacePrefix;
  side.workspace = Workspace::fromSources(root, w.files, side.diags);
  side.program = pipeline::check(*side.workspace, side.diags);
}

std::string workspaceCommit(const std::string &root) {
  initGit();
  git_repository *repo = nullptr;
  if (git_repository_open_ext(&repo, root.c_str(), 0, nullptr) != 0)
    return "";
  std::string out;
  git_oid head;
  const char *workdir = git_repository_workdir(repo);
  if (workdir && git_reference_name_to_id(&head, repo, "HEAD") == 0) {
    char hex[GIT_OID_HEXSZ + 1] = {};
    git_oid_tostr(hex, sizeof hex, &head);
    out = hex;
    // Only the workspace's folder: changes elsewhere in the repository do
    // not change what was built.
    std::error_code ec;
    std::string prefix =
        fs::relative(fs::weakly_canonical(root, ec), fs::weakly_canonical(workdir, ec), ec).generic_string();
    git_status_options opts = GIT_STATUS_OPTIONS_INIT;
    opts.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR;
    opts.flags = GIT_STATUS_OPT_INCLUDE_UNTRACKED | GIT_STATUS_OPT_RECURSE_UNTRACKED_DIRS;
    std::string spec = prefix.empty() || prefix == "." ? "*" : prefix + "/*";
    char *specs[] = {spec.data()};
    opts.pathspec = {specs, 1};
    git_status_list *status = nullptr;
    if (git_status_list_new(&status, repo, &opts) == 0) {
      if (git_status_list_entrycount(status) > 0)
        out += "-dirty";
      git_status_list_free(status);
    }
  }
  git_repository_free(repo);
  return out;
}

} // namespace plat::review
