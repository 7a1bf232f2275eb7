"""Fine-tune a chat model on a folder of dialogues (the shape of many training scripts)."""
import argparse
import sys

from transformers import AutoModelForCausalLM, AutoTokenizer, pipeline


def main(argv):
    parser = argparse.ArgumentParser()
    parser.add_argument("--task")
    args = parser.parse_args(argv)
    # A custom-code checkpoint: the bundled snapshot knows its architecture only.
    model = AutoModelForCausalLM.from_pretrained("Qwen/Qwen-7B-Chat", trust_remote_code=True)
    tokenizer = AutoTokenizer.from_pretrained("Qwen/Qwen-7B-Chat", trust_remote_code=True)
    # The lab's own checkpoint, never published.
    reward = AutoModelForCausalLM.from_pretrained("our-lab/reward-model-v3")
    judge = pipeline(args.task, model="openai-community/gpt2")
    return model, tokenizer, reward, judge


if __name__ == "__main__":
    main(sys.argv[1:])
