// `axle topic list|info|echo|hz|bw|pub|clean` and `axle node list`: the command line of the
// shared-memory bus of this user. This file only declares the commands; each one's work is in a
// topic_*.cpp file (topic_commands.hpp says which).
#include <memory>
#include <string>

#include "context.hpp"
#include "topic_commands.hpp"
#include "validators.hpp"

namespace axle::cli {

using topic::BwOptions;
using topic::EchoOptions;
using topic::PubOptions;
using topic::run_bw;
using topic::run_clean;
using topic::run_echo;
using topic::run_hz;
using topic::run_info;
using topic::run_list;
using topic::run_node_list;
using topic::run_pub;

void register_topic_command(CLI::App& app, Context& ctx) {
  CLI::App* topic = app.add_subcommand("topic", "Look at and take part in the shared-memory bus");
  topic->require_subcommand(1);
  set_example(*topic, "axle topic list --json");

  CLI::App* list = topic->add_subcommand("list", "List this user's topics with type and endpoints");
  set_example(*list, "axle topic list");
  list->callback([&ctx] { ctx.exit_code = run_list(ctx); });

  auto info_topic = std::make_shared<std::string>();
  CLI::App* info = topic->add_subcommand("info", "Show a topic's metadata, limits and endpoints");
  info->add_option("topic", *info_topic, "Topic name, e.g. sensors/lidar")->required();
  set_example(*info, "axle topic info sensors/lidar --json");
  info->callback([&ctx, info_topic] { ctx.exit_code = run_info(ctx, *info_topic); });

  auto echo_opts = std::make_shared<EchoOptions>();
  CLI::App* echo = topic->add_subcommand("echo", "Print samples of a topic as they arrive");
  echo->add_option("topic", echo_opts->topic, "Topic name")->required();
  echo->add_option("-n,--count", echo_opts->count, "Stop after this many samples (0: never)")
      ->check(whole_number(0));
  echo->add_option("--timeout", echo_opts->timeout_s, "Fail when no sample comes for this long (s)")
      ->check(greater_than_zero());
  echo->add_flag("--transient", echo_opts->transient, "Start with the topic's kept history");
  set_example(*echo, "axle topic echo sensors/imu -n 5 --json");
  echo->callback([&ctx, echo_opts] { ctx.exit_code = run_echo(ctx, *echo_opts); });

  auto hz_topic = std::make_shared<std::string>();
  auto hz_duration = std::make_shared<double>(5);
  CLI::App* hz = topic->add_subcommand("hz", "Measure a topic's message rate (see also bw)");
  hz->add_option("topic", *hz_topic, "Topic name")->required();
  hz->add_option("--duration", *hz_duration, "Measure for this long (s), default 5")
      ->check(greater_than_zero());
  set_example(*hz, "axle topic hz sensors/lidar --duration 3");
  hz->callback(
      [&ctx, hz_topic, hz_duration] { ctx.exit_code = run_hz(ctx, *hz_topic, *hz_duration); });

  auto bw_opts = std::make_shared<BwOptions>();
  CLI::App* bw = topic->add_subcommand(
      "bw", "Measure a topic's bandwidth: bytes/s, messages/s, mean/min/max size over a window");
  bw->add_option("topic", bw_opts->topic, "Topic name")->required();
  bw->add_option("-w,--window", bw_opts->window,
                 "Statistics over the last N messages (at least 2), default 100")
      ->check(whole_number(2, "a rate needs two arrivals"));
  bw->add_option("--duration", bw_opts->duration_s,
                 "Measure for this long (s); default 5, or no limit with --count")
      ->check(greater_than_zero());
  bw->add_option("-n,--count", bw_opts->count, "Stop after this many messages")
      ->check(whole_number(0));
  bw->add_option("--timeout", bw_opts->timeout_s,
                 "With --count and no --duration: fail when no message comes for this long (s)")
      ->check(greater_than_zero());
  set_example(*bw, "axle topic bw sensors/lidar --window 50 --duration 3 --json");
  bw->callback([&ctx, bw_opts] { ctx.exit_code = run_bw(ctx, *bw_opts); });

  auto pub_opts = std::make_shared<PubOptions>();
  CLI::App* pub = topic->add_subcommand(
      "pub", "Publish bytes to a topic (created as type 'bytes' if it does not exist)");
  pub->add_option("topic", pub_opts->topic, "Topic name")->required();
  pub->add_option("data", pub_opts->data, "The message (its bytes as given)")->required();
  pub->add_option("-n,--count", pub_opts->count, "How many times, default 1")
      ->check(whole_number(1));
  pub->add_option("--rate", pub_opts->rate, "Messages per second when count > 1, default 10")
      ->check(greater_than_zero());
  set_example(*pub, "axle topic pub chat/hello 'hi there' -n 3");
  pub->callback([&ctx, pub_opts] { ctx.exit_code = run_pub(ctx, *pub_opts); });

  CLI::App* clean = topic->add_subcommand(
      "clean", "Remove segments no live process uses (corrupt ones are reported, not removed)");
  set_example(*clean, "axle topic clean --json");
  clean->callback([&ctx] { ctx.exit_code = run_clean(ctx); });

  CLI::App* node = app.add_subcommand("node", "Participants of the shared-memory bus");
  node->require_subcommand(1);
  set_example(*node, "axle node list --json");
  CLI::App* node_list =
      node->add_subcommand("list", "List nodes (name, pid, alive) and their topics");
  set_example(*node_list, "axle node list --json");
  node_list->callback([&ctx] { ctx.exit_code = run_node_list(ctx); });
}

}  // namespace axle::cli
