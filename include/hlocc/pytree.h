/// Pytrees: nested containers of tensors that jit, trace, the control-flow functions (and later
/// grad and the optimizers) take and return as if they were one value. A pytree is a Tensor (a
/// leaf), a std::vector, std::array, std::tuple or std::pair of pytrees, a std::map from
/// std::string to pytrees, or a user struct registered with HLOCC_PYTREE. Flattening visits the
/// leaves in a fixed order (elements in order, map entries by key, struct fields as registered);
/// rebuilding puts new leaves into a tree of the same structure.
///
/// Host data may stand where a Tensor goes in an input: a HostArray, or a TensorSpec (a type
/// only, for hlocc::trace). Rebuilt trees hold Tensors there: Pytree<T>::Traced is that type.
#pragma once

#include <array>
#include <cstddef>
#include <map>
#include <string>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

#include "hlocc/error.h"
#include "hlocc/tensor.h"

namespace hlocc {

/// The type of one traced input: what a TensorSpec leaf stands for.
struct TensorSpec {
  DType dtype = DType::F32;
  std::vector<int64_t> dims;
};

namespace detail {

/// A flattened pytree: its leaves, each leaf's path (for messages) and the structure (container
/// sizes, map keys, field names), which two trees must share to be rebuilt alike.
struct Flattened {
  std::vector<Tensor> leaves;
  std::vector<std::string> paths;
  std::string structure;
};

class TreeWriter {
 public:
  void leaf(const Tensor& tensor) {
    out_.leaves.push_back(tensor);
    out_.paths.push_back(path_.empty() ? std::string("<root>") : path_);
    out_.structure += '*';
  }
  /// Visits `child` under the path step `step` (e.g. "[0]", ".weights", "['w']").
  template <class Child>
  void child(const std::string& step, const Child& child);
  void open(char bracket, const std::string& tag = "") { out_.structure += tag + bracket; }
  void close(char bracket) { out_.structure += bracket; }
  void separator() { out_.structure += ','; }
  Flattened take() { return std::move(out_); }

 private:
  Flattened out_;
  std::string path_;
};

class TreeReader {
 public:
  explicit TreeReader(const std::vector<Tensor>& leaves) : leaves_(leaves) {}
  const Tensor& next() {
    if (next_ >= leaves_.size())
      throw Error("pytree: fewer leaves than the structure needs (internal error)");
    return leaves_[next_++];
  }
  bool done() const { return next_ == leaves_.size(); }

 private:
  const std::vector<Tensor>& leaves_;
  size_t next_ = 0;
};

/// Turns a leaf-like value into a Tensor leaf: a TensorSpec becomes an abstract placeholder that
/// only carries a type (it cannot be used in operations).
Tensor spec_placeholder(const TensorSpec& spec);

}  // namespace detail

/// How T is a pytree. Specializations provide
///   using Traced = ...;  // the type rebuilt trees have (Tensor where T has HostArray/TensorSpec)
///   static void flatten(const T&, detail::TreeWriter&);
///   static Traced rebuild(const T& like, detail::TreeReader&);
template <class T, class Enable = void>
struct Pytree {
  static_assert(sizeof(T) == 0,
                "hlocc: this type is not a pytree; use Tensor, std::vector, std::array, std::tuple, "
                "std::pair or std::map<std::string, T> of them, or register a struct with "
                "HLOCC_PYTREE(Type, field...)");
};

template <class T>
using Traced = typename Pytree<std::remove_cvref_t<T>>::Traced;

template <>
struct Pytree<Tensor> {
  using Traced = Tensor;
  static void flatten(const Tensor& t, detail::TreeWriter& out) { out.leaf(t); }
  static Tensor rebuild(const Tensor&, detail::TreeReader& in) { return in.next(); }
};

template <>
struct Pytree<HostArray> {
  using Traced = Tensor;
  static void flatten(const HostArray& a, detail::TreeWriter& out) { out.leaf(Tensor(a)); }
  static Tensor rebuild(const HostArray&, detail::TreeReader& in) { return in.next(); }
};

template <>
struct Pytree<TensorSpec> {
  using Traced = Tensor;
  static void flatten(const TensorSpec& s, detail::TreeWriter& out) {
    out.leaf(detail::spec_placeholder(s));
  }
  static Tensor rebuild(const TensorSpec&, detail::TreeReader& in) { return in.next(); }
};

template <class T>
struct Pytree<std::vector<T>> {
  using Traced = std::vector<hlocc::Traced<T>>;
  static void flatten(const std::vector<T>& v, detail::TreeWriter& out) {
    out.open('[');
    for (size_t i = 0; i < v.size(); ++i) {
      if (i > 0) out.separator();
      out.child("[" + std::to_string(i) + "]", v[i]);
    }
    out.close(']');
  }
  static Traced rebuild(const std::vector<T>& like, detail::TreeReader& in) {
    Traced result;
    result.reserve(like.size());
    for (const T& element : like) result.push_back(Pytree<T>::rebuild(element, in));
    return result;
  }
};

template <class T, size_t N>
struct Pytree<std::array<T, N>> {
  using Traced = std::array<hlocc::Traced<T>, N>;
  static void flatten(const std::array<T, N>& a, detail::TreeWriter& out) {
    out.open('[', "a");
    for (size_t i = 0; i < N; ++i) {
      if (i > 0) out.separator();
      out.child("[" + std::to_string(i) + "]", a[i]);
    }
    out.close(']');
  }
  static Traced rebuild(const std::array<T, N>& like, detail::TreeReader& in) {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return Traced{Pytree<T>::rebuild(like[I], in)...};  // braced: evaluated in order
    }(std::make_index_sequence<N>{});
  }
};

namespace detail {
template <class Tuple, class TracedTuple, class... Ts>
struct TuplePytree {
  using Traced = TracedTuple;
  static void flatten(const Tuple& t, TreeWriter& out) {
    out.open('(');
    [&]<size_t... I>(std::index_sequence<I...>) {
      ((I > 0 ? out.separator() : void(), out.child("[" + std::to_string(I) + "]", std::get<I>(t))),
       ...);
    }(std::index_sequence_for<Ts...>{});
    out.close(')');
  }
  static Traced rebuild(const Tuple& like, TreeReader& in) {
    return [&]<size_t... I>(std::index_sequence<I...>) {
      return Traced{Pytree<std::remove_cvref_t<Ts>>::rebuild(std::get<I>(like), in)...};
    }(std::index_sequence_for<Ts...>{});
  }
};
}  // namespace detail

template <class... Ts>
struct Pytree<std::tuple<Ts...>>
    : detail::TuplePytree<std::tuple<Ts...>, std::tuple<Traced<Ts>...>, Ts...> {};

template <class A, class B>
struct Pytree<std::pair<A, B>>
    : detail::TuplePytree<std::pair<A, B>, std::pair<Traced<A>, Traced<B>>, A, B> {};

template <class T>
struct Pytree<std::map<std::string, T>> {
  using Traced = std::map<std::string, hlocc::Traced<T>>;
  static void flatten(const std::map<std::string, T>& m, detail::TreeWriter& out) {
    out.open('{');
    bool first = true;
    for (const auto& [key, value] : m) {
      if (!first) out.separator();
      first = false;
      out.open(':', key);
      out.child("['" + key + "']", value);
    }
    out.close('}');
  }
  static Traced rebuild(const std::map<std::string, T>& like, detail::TreeReader& in) {
    Traced result;
    for (const auto& [key, value] : like) result.emplace(key, Pytree<T>::rebuild(value, in));
    return result;
  }
};

/// Structs registered with HLOCC_PYTREE: the fields named there are the children; other members
/// are copied from the tree being rebuilt. Fields hold Tensors (or pytrees of them).
template <class T>
struct Pytree<T, std::void_t<decltype(hlocc_pytree_fields(std::declval<T&>(),
                                                          std::declval<int&>()))>> {
  using Traced = T;
  static void flatten(const T& value, detail::TreeWriter& out) {
    out.open('{', "struct");
    bool first = true;
    hlocc_pytree_fields(value, [&](const char* name, const auto& field) {
      if (!first) out.separator();
      first = false;
      out.child(std::string(".") + name, field);
    });
    out.close('}');
  }
  static T rebuild(const T& like, detail::TreeReader& in) {
    T result = like;
    hlocc_pytree_fields(result, [&](const char*, auto& field) {
      using Field = std::remove_cvref_t<decltype(field)>;
      static_assert(std::is_same_v<hlocc::Traced<Field>, Field>,
                    "HLOCC_PYTREE: a registered struct's fields must hold Tensors (not HostArray "
                    "or TensorSpec), or pytrees of them");
      field = Pytree<Field>::rebuild(field, in);
    });
    return result;
  }
};

template <class Child>
void detail::TreeWriter::child(const std::string& step, const Child& child) {
  const size_t length = path_.size();
  path_ += step;
  Pytree<Child>::flatten(child, *this);
  path_.resize(length);
}

/// The leaves of `tree`, with their paths and the tree's structure.
template <class T>
detail::Flattened flatten(const T& tree) {
  detail::TreeWriter out;
  Pytree<T>::flatten(tree, out);
  return out.take();
}

/// A tree shaped like `like` holding `leaves` (as many as `like` has, in flattening order).
template <class T>
Traced<T> unflatten(const T& like, const std::vector<Tensor>& leaves) {
  detail::TreeReader in(leaves);
  Traced<T> result = Pytree<T>::rebuild(like, in);
  if (!in.done()) throw Error("pytree: more leaves than the structure holds (internal error)");
  return result;
}

}  // namespace hlocc

// HLOCC_PYTREE(Type, field, ...): registers a struct as a pytree node with these fields. Use it
// at namespace scope in Type's namespace, after Type's definition (it defines a function found
// by argument-dependent lookup).
#define HLOCC_PYTREE(Type, ...)                                                    \
  template <class HlOccSelf, class HlOccVisit>                                     \
    requires std::is_same_v<std::remove_const_t<HlOccSelf>, Type>                  \
  void hlocc_pytree_fields(HlOccSelf& hlocc_self, HlOccVisit&& hlocc_visit) {      \
    HLOCC_DETAIL_FOR_EACH(HLOCC_DETAIL_VISIT_FIELD, __VA_ARGS__)                   \
  }
#define HLOCC_DETAIL_VISIT_FIELD(field) hlocc_visit(#field, hlocc_self.field);

// A variadic for-each over up to 64 arguments: each rescan of HLOCC_DETAIL_EXPAND lets the
// deferred HLOCC_DETAIL_FOR_EACH_AGAIN expand one step further.
#define HLOCC_DETAIL_PARENS ()
#define HLOCC_DETAIL_EXPAND(...) \
  HLOCC_DETAIL_EXPAND3(HLOCC_DETAIL_EXPAND3(HLOCC_DETAIL_EXPAND3(HLOCC_DETAIL_EXPAND3(__VA_ARGS__))))
#define HLOCC_DETAIL_EXPAND3(...) \
  HLOCC_DETAIL_EXPAND2(HLOCC_DETAIL_EXPAND2(HLOCC_DETAIL_EXPAND2(HLOCC_DETAIL_EXPAND2(__VA_ARGS__))))
#define HLOCC_DETAIL_EXPAND2(...) \
  HLOCC_DETAIL_EXPAND1(HLOCC_DETAIL_EXPAND1(HLOCC_DETAIL_EXPAND1(HLOCC_DETAIL_EXPAND1(__VA_ARGS__))))
#define HLOCC_DETAIL_EXPAND1(...) __VA_ARGS__
#define HLOCC_DETAIL_FOR_EACH(macro, ...) \
  __VA_OPT__(HLOCC_DETAIL_EXPAND(HLOCC_DETAIL_FOR_EACH_STEP(macro, __VA_ARGS__)))
#define HLOCC_DETAIL_FOR_EACH_STEP(macro, first, ...) \
  macro(first) __VA_OPT__(HLOCC_DETAIL_FOR_EACH_AGAIN HLOCC_DETAIL_PARENS(macro, __VA_ARGS__))
#define HLOCC_DETAIL_FOR_EACH_AGAIN() HLOCC_DETAIL_FOR_EACH_STEP
