package com.example.demo;

import jakarta.validation.constraints.Size;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.validation.annotation.Validated;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseBody;

@Controller
@Validated
public class HelloController {

	private final GreetingRepository greetings;

	public HelloController(GreetingRepository greetings) {
		this.greetings = greetings;
	}

	@GetMapping("/hello")
	@ResponseBody
	public String hello(@RequestParam(defaultValue = "world") @Size(max = 40) String name) {
		greetings.save(new Greeting(name));
		return "Hello, " + name + "! (greeting " + greetings.count() + ")";
	}

	@GetMapping("/")
	public String index(Model model) {
		model.addAttribute("count", greetings.count());
		return "index";
	}

}
